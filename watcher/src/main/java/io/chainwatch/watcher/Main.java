package io.chainwatch.watcher;

import io.chainwatch.config.ChainwatchConfig;
import io.chainwatch.config.ConfigException;
import io.chainwatch.watcher.logging.Logging;
import io.chainwatch.watcher.scan.Scan;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code chainwatch} command line: {@code run} in a cluster, {@code scan} on a kubectl dump. */
@Command(name = "chainwatch", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Finds pods that run without Cilium, and other silent Cilium networking failures.",
    subcommands = {Main.Run.class, Main.ScanCommand.class})
public final class Main implements Callable<Integer> {
  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns its exit code (tests call this instead of {@link #main}). */
  public static int execute(String... args) {
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof ConfigException) {
        cmd.getErr().println(io.chainwatch.watcher.scan.Terminal.safe(e.getMessage()));
        return Scan.EXIT_BAD_INPUT;
      }
      // exit 1 means findings: a crash is 2, with what happened
      cmd.getErr().println(io.chainwatch.watcher.scan.Terminal.safe("chainwatch: internal error: " + e));
      e.printStackTrace(cmd.getErr());
      return Scan.EXIT_BAD_INPUT;
    });
    return commandLine.execute(args);
  }

  @Override
  public Integer call() {
    CommandLine.usage(this, System.err);
    return Scan.EXIT_BAD_INPUT;
  }

  /** {@code --version}: the version, commit and build time, for every subcommand. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {io.chainwatch.watcher.logging.BuildInfo.current().line("chainwatch")};
    }
  }

  @Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
      description = "Watch the cluster (kubeconfig or in-cluster service account) until stopped.")
  static final class Run implements Callable<Integer> {
    @Option(names = "--config", description = "YAML configuration file (else CHAINWATCH_CONFIG_FILE, else defaults).")
    Path config;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      ChainwatchConfig settings = Configuration.load(config, System.getenv());
      Logging.configure(settings.logLevel(), Logging.format(settings.value(io.chainwatch.config.Settings.LOG_FORMAT)),
          "warn");
      org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Main.class);
      java.util.Optional<String> noCluster = ApiServerTarget.missing(System.getenv(), System.getProperties(),
          Path.of(System.getProperty("user.home", "/")));
      if (noCluster.isPresent()) {
        spec.commandLine().getErr().println(noCluster.get());
        return Scan.EXIT_BAD_INPUT;
      }
      log.info("chainwatch starting: {}", io.chainwatch.watcher.logging.BuildInfo.current().line("chainwatch"));
      Logging.logConfiguration(log, settings);
      var client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().build();
      log.info("Kubernetes API server: {}", client.getMasterUrl());
      Chainwatch chainwatch = Chainwatch.start(settings, client, Clock.systemUTC(), System.out);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        log.info("Stopping");
        Logging.shuttingDown();
        chainwatch.close();
        client.close();
        Logging.flush();
        stopped.countDown();
      }, "chainwatch-shutdown"));
      stopped.await();
      return 0;
    }
  }

  @Command(name = "scan", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
      description = "Run the detectors on kubectl dumps (JSON or YAML) and print one JSON line per finding. "
          + "Exit 0: no findings (advice alone counts as none), 1: findings, 2: bad input or usage.")
  static final class ScanCommand implements Callable<Integer> {
    @Option(names = "--now", paramLabel = "RFC3339", description = "Judge as of this time (default: now).")
    String now;

    @Option(names = "--config", description = "YAML configuration file (else CHAINWATCH_CONFIG_FILE, else defaults).")
    Path config;

    @Option(names = "--format", paramLabel = "json|text", defaultValue = "json",
        description = "json: one JSON line per finding (the default, for scripts); text: a report for a person, "
            + "coloured when stdout is a terminal.")
    String format;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Dump files; - reads stdin.")
    List<String> files;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      ChainwatchConfig settings = Configuration.load(config, System.getenv());
      Logging.configure("warn", Logging.format(settings.value(io.chainwatch.config.Settings.LOG_FORMAT)), "error");
      Instant at;
      try {
        at = now == null ? Instant.now() : OffsetDateTime.parse(now).toInstant();
      } catch (DateTimeParseException e) {
        spec.commandLine().getErr().println("chainwatch scan: --now must be an RFC 3339 time such as "
            + "2026-11-23T04:00:00Z, got \"" + io.chainwatch.watcher.scan.Terminal.safe(now) + "\"");
        return Scan.EXIT_BAD_INPUT;
      }
      Scan.Format output;
      if (format.equals("json")) {
        output = Scan.Format.JSON;
      } else if (format.equals("text")) {
        output = System.console() != null ? Scan.Format.TEXT_COLOUR : Scan.Format.TEXT;
      } else {
        spec.commandLine().getErr().println("chainwatch scan: --format must be json or text, got \""
            + io.chainwatch.watcher.scan.Terminal.safe(format) + "\"");
        return Scan.EXIT_BAD_INPUT;
      }
      return Scan.run(settings, files, at, now == null, System.in, System.out, System.err, output);
    }
  }
}
