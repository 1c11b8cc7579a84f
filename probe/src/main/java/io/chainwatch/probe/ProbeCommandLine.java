package io.chainwatch.probe;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The probe's command line: it is configured by environment variables (its DaemonSet sets them), so the only
 * arguments are {@code --help} and {@code --version}; anything else is refused rather than ignored.
 */
final class ProbeCommandLine {
  static final String HELP = """
      Usage: chainwatch-probe [--help] [--version]
      Runs on every node (the chart's DaemonSet): reads the host's rp_filter, its CNI configuration, cilium-health and
      cilium-agent's endpoints, and writes them as the report annotation on its own Node for chainwatch. With
      CHAINWATCH_PROBE_REPAIR=true it also writes rp_filter back when chainwatch asks with a signed request.
      Configured by environment variables:
        NODE_NAME                           the Node to annotate (downward API); required
        CHAINWATCH_PROBE_PROC_ROOT          root of /proc (default /proc)
        CHAINWATCH_PROBE_UPLINK             uplink interface (default: the default route's)
        CHAINWATCH_PROBE_HOST_ROOT          where the host's sysctl directories are mounted
        CHAINWATCH_PROBE_CNI_CONF_DIR       the host's CNI configuration directory (read-only)
        CHAINWATCH_PROBE_HEALTH_SOCKET      cilium-health's socket
        CHAINWATCH_PROBE_AGENT_SOCKET       cilium-agent's API socket (empty: do not ask for endpoints)
        CHAINWATCH_PROBE_HEALTH_TIMEOUT     bound on one socket request (default PT5S)
        CHAINWATCH_PROBE_INTERVAL           how often the host is read (default PT30S)
        CHAINWATCH_PROBE_HEARTBEAT          an unchanged report is written again this often (default PT5M)
        CHAINWATCH_PROBE_MIN_WRITE_INTERVAL never write more often (default PT30S)
        CHAINWATCH_PROBE_API_SERVER         API server URL (default: from KUBERNETES_SERVICE_HOST/_PORT)
        CHAINWATCH_PROBE_TOKEN_FILE         service account token (default: the mounted one)
        CHAINWATCH_PROBE_CA_FILE            service account CA (default: the mounted one)
        CHAINWATCH_PROBE_REPAIR             act on signed rp_filter repair requests (default false)
        CHAINWATCH_PROBE_REPAIR_KEY_FILE    the key repair requests are signed with
      Exit codes: 2 bad configuration or arguments, 3 the cilium-health socket went stale (restart me).
      """;

  private ProbeCommandLine() {}

  /** The exit code when the arguments end the run (help, version, a mistake); empty to go on and probe. */
  static Optional<Integer> handle(List<String> args, PrintStream out, PrintStream err) {
    if (args.isEmpty()) {
      return Optional.empty();
    }
    if (args.contains("--help") || args.contains("-h")) {
      out.print(HELP);
      return Optional.of(0);
    }
    if (args.contains("--version") || args.contains("-V")) {
      out.println(version());
      return Optional.of(0);
    }
    err.println("chainwatch-probe: unknown argument \"" + Terminal.safe(args.get(0)) + "\": the probe is configured "
        + "by environment variables (--help lists them)");
    return Optional.of(2);
  }

  static String version() {
    Properties build = new Properties();
    try (InputStream in = ProbeCommandLine.class.getResourceAsStream("/io/chainwatch/probe/build.properties")) {
      if (in != null) {
        build.load(in);
      }
    } catch (IOException e) {
      // the version line then says unknown
    }
    String commit = filled(build, "commit");
    if (!commit.equals("unknown") && filled(build, "dirty").equals("true")) {
      commit += "-dirty";
    }
    return "chainwatch-probe " + filled(build, "version") + " (commit " + commit + ", built "
        + filled(build, "buildTime") + ", Java " + Runtime.version() + ")";
  }

  private static String filled(Properties properties, String key) {
    String value = properties.getProperty(key, "").trim();
    return value.isEmpty() || value.contains("${") ? "unknown" : value;
  }
}
