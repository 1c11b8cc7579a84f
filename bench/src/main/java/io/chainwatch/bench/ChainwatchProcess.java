package io.chainwatch.bench;

import io.chainwatch.bus.BusAddresses;
import io.chainwatch.model.Finding;
import io.chainwatch.watcher.Chainwatch;
import io.chainwatch.watcher.Configuration;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * chainwatch as the pipeline benchmark drives it: started with the environment a deployment gives it, against the
 * benchmark's API server, broker and Slack, reporting each finding (with the {@link System#nanoTime()} it was seen at)
 * and its counters. Either in the benchmark's own JVM, as up to the eleventh pass of issue 19, or in a JVM of its own,
 * as deployed: then its collector neither pauses for the harness's allocation (the broker's, the API server's) nor
 * scans the harness's heap, and the harness's collections do not pause chainwatch.
 */
interface ChainwatchProcess extends AutoCloseable {
  /** Receives every finding about a pod, on a thread of the process's choosing. */
  interface Findings {
    void found(String pod, long seenAtNanos);
  }

  record Counts(long processed, long dropped) {}

  /** Cluster changes chainwatch processed and dropped so far. */
  Counts counts();

  /** The child JVM's pid, whose threads' CPU the benchmark reads from {@code /proc}; -1 when in this JVM. */
  long pid();

  /**
   * A full collection of chainwatch's heap, as the benchmark's own before each load gave chainwatch when it shared
   * the benchmark's JVM (to compare the two setups: {@code -Dbench.chainwatchGcBeforeLoad=true}).
   */
  void collectGarbage();

  /** Leader, ready, and its bus consumer registered. */
  static ChainwatchProcess start(boolean ownJvm, String apiUrl, Map<String, String> env, Findings findings)
      throws Exception {
    return ownJvm ? OwnJvm.start(apiUrl, env, findings) : InThisJvm.start(apiUrl, env, findings);
  }

  private static KubernetesClient client(String apiUrl) {
    return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(apiUrl)
        .withRequestRetryBackoffLimit(0).build()).build();
  }

  /** Starts chainwatch and waits (up to 60 s) until it is ready and leads. */
  private static Chainwatch startChainwatch(KubernetesClient client, Map<String, String> env) {
    Chainwatch chainwatch = Chainwatch.start(Configuration.load(null, env), client, Clock.systemUTC(),
        new PrintStream(OutputStream.nullOutputStream()));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!chainwatch.ready() || !chainwatch.leading()) {
      if (System.nanoTime() > deadline) {
        chainwatch.close();
        throw new IllegalStateException("chainwatch did not become ready and leader against the benchmark API server");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    return chainwatch;
  }

  private static void onFindings(Chainwatch chainwatch, Findings findings) {
    chainwatch.vertx().eventBus().<Finding>localConsumer(BusAddresses.FINDINGS, message -> {
      if ("Pod".equals(message.body().resource().kind())) {
        findings.found(message.body().resource().name(), System.nanoTime());
      }
    });
  }

  final class InThisJvm implements ChainwatchProcess {
    private final KubernetesClient client;
    private final Chainwatch chainwatch;

    private InThisJvm(KubernetesClient client, Chainwatch chainwatch) {
      this.client = client;
      this.chainwatch = chainwatch;
    }

    static InThisJvm start(String apiUrl, Map<String, String> env, Findings findings) {
      KubernetesClient client = client(apiUrl);
      try {
        Chainwatch chainwatch = startChainwatch(client, env);
        onFindings(chainwatch, findings);
        return new InThisJvm(client, chainwatch);
      } catch (RuntimeException e) {
        client.close();
        throw e;
      }
    }

    @Override
    public Counts counts() {
      return new Counts(chainwatch.changesProcessed(), chainwatch.changesDropped());
    }

    @Override
    public long pid() {
      return -1;
    }

    @Override
    public void collectGarbage() {
      // nothing: the benchmark's own full collection, just before, collected chainwatch's heap too
    }

    @Override
    public void close() {
      chainwatch.close();
      client.close();
    }
  }

  /**
   * chainwatch in a child JVM ({@link #main}). One line per message on the child's standard output: {@code READY},
   * {@code F <pod> <nanoTime>} per finding, {@code C <processed> <dropped>} in answer to {@code COUNTS} on its
   * standard input (and to {@code GC}, once it collected its heap); {@code STOP} (or the end of its input: the
   * benchmark died) closes chainwatch and ends the JVM. Its standard error is its log, copied to this JVM's. Both JVMs'
   * {@link System#nanoTime()} read the machine's monotonic clock ({@code CLOCK_MONOTONIC} on Linux), so a finding's
   * time is comparable with the time its event was sent.
   */
  final class OwnJvm implements ChainwatchProcess {
    /**
     * The image's collector flags (README's "Image"). The heap: a run sends about 400,000 pods and as many endpoints
     * and deletes none, about 1 GB live by its end; a heap of four times that, as a deployment sized for its cluster
     * would have. At 2 GB (the live set half the heap) the collector's young pauses at half load were 35–190 ms
     * and p99 166 ms, against 84 ms with 6 GB (twelfth pass of issue 19).
     */
    static final String DEFAULT_FLAGS = "-Xmx4g -XX:+UseG1GC -XX:MaxTenuringThreshold=0 -XX:MaxGCPauseMillis=50";

    private final Process process;
    private final BufferedWriter commands;
    private final BlockingQueue<Counts> answers = new ArrayBlockingQueue<>(1);
    /** The child's last lines of log: what a failure says. */
    private final Deque<String> log = new ArrayDeque<>();

    private OwnJvm(Process process) {
      this.process = process;
      this.commands = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    }

    /** The child's JVM flags: {@code -Dbench.chainwatchJvmFlags="..."} replaces {@link #DEFAULT_FLAGS}. */
    static List<String> flags() {
      String flags = System.getProperty("bench.chainwatchJvmFlags", DEFAULT_FLAGS).strip();
      return flags.isEmpty() ? List.of() : List.of(flags.split("\\s+"));
    }

    static OwnJvm start(String apiUrl, Map<String, String> env, Findings findings) throws Exception {
      List<String> command = new ArrayList<>(List.of(Jvm.launcher()));
      command.addAll(flags());
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), OwnJvm.class.getName(), apiUrl));
      new TreeMap<>(env).forEach((name, value) -> command.add(name + "=" + value));
      OwnJvm child = new OwnJvm(new ProcessBuilder(command).start());
      CountDownLatch ready = new CountDownLatch(1);
      Thread stdout = new Thread(() -> child.readAnswers(findings, ready), "bench-chainwatch-stdout");
      Thread stderr = new Thread(child::copyLog, "bench-chainwatch-stderr");
      stdout.setDaemon(true);
      stderr.setDaemon(true);
      stdout.start();
      stderr.start();
      if (!ready.await(120, TimeUnit.SECONDS) || !child.process.isAlive()) {
        child.process.destroyForcibly();
        stdout.join(5_000);
        stderr.join(5_000);
        throw new IllegalStateException("chainwatch's JVM did not become ready: " + child.lastLog());
      }
      return child;
    }

    private void readAnswers(Findings findings, CountDownLatch ready) {
      try (BufferedReader reader = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          if (line.startsWith("F ")) {
            int space = line.lastIndexOf(' ');
            findings.found(line.substring(2, space), Long.parseLong(line.substring(space + 1)));
          } else if (line.startsWith("C ")) {
            String[] fields = line.split(" ");
            answers.add(new Counts(Long.parseLong(fields[1]), Long.parseLong(fields[2])));
          } else if (line.equals("READY")) {
            ready.countDown();
          } else {
            remember("stdout: " + line);
          }
        }
      } catch (IOException e) {
        remember("stdout unreadable: " + e);
      } finally {
        ready.countDown(); // a child that died before it was ready: the starter checks isAlive
      }
    }

    private void copyLog() {
      try (BufferedReader reader = new BufferedReader(
          new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          System.err.println("[chainwatch] " + line);
          remember(line);
        }
      } catch (IOException e) {
        remember("stderr unreadable: " + e);
      }
    }

    private synchronized void remember(String line) {
      log.addLast(line);
      while (log.size() > 20) {
        log.removeFirst();
      }
    }

    private synchronized String lastLog() {
      return log.isEmpty() ? "(exit " + (process.isAlive() ? "none yet" : process.exitValue()) + ", no output)"
          : String.join(" | ", log);
    }

    @Override
    public Counts counts() {
      return counts("COUNTS");
    }

    private synchronized Counts counts(String command) {
      try {
        commands.write(command + "\n");
        commands.flush();
        Counts counts = answers.poll(30, TimeUnit.SECONDS);
        if (counts == null) {
          throw new IllegalStateException("chainwatch's JVM did not answer " + command + " in 30 s: " + lastLog());
        }
        return counts;
      } catch (IOException e) {
        throw new UncheckedIOException("chainwatch's JVM is gone: " + lastLog(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }

    @Override
    public long pid() {
      return process.pid();
    }

    @Override
    public void collectGarbage() {
      counts("GC"); // answered with the counts once collected
    }

    @Override
    public void close() throws InterruptedException {
      try {
        commands.write("STOP\n");
        commands.close();
      } catch (IOException e) {
        // already gone
      }
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }

    /** The child: {@code <apiUrl> NAME=VALUE...} (chainwatch's environment). */
    public static void main(String[] args) throws Exception {
      io.chainwatch.watcher.logging.Logging.configure("warn", io.chainwatch.watcher.logging.Logging.Format.PLAIN,
          "error");
      // the protocol owns standard output; anything else printed there goes to the log
      PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
      System.setOut(System.err);
      Map<String, String> env = new java.util.HashMap<>();
      for (int i = 1; i < args.length; i++) {
        int equals = args[i].indexOf('=');
        env.put(args[i].substring(0, equals), args[i].substring(equals + 1));
      }
      try {
        serve(args[0], env, protocol);
      } catch (Throwable e) {
        e.printStackTrace();
        Runtime.getRuntime().halt(1); // Vert.x's threads would keep a failed child alive
      }
      if (java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
          .anyMatch(flag -> flag.startsWith("-XX:StartFlightRecording"))) {
        System.exit(0); // runs the hook that writes the flight recording (halt would lose it)
      }
      Runtime.getRuntime().halt(0); // informer and Vert.x threads need not wind down
    }

    private static void serve(String apiUrl, Map<String, String> env, PrintStream protocol) throws IOException {
      KubernetesClient client = client(apiUrl);
      Chainwatch chainwatch = startChainwatch(client, env);
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      // the bus consumer only queues: the writes to the pipe happen on a thread of their own, off the event loop
      onFindings(chainwatch, (pod, seenAtNanos) -> lines.add("F " + pod + " " + seenAtNanos));
      Thread writer = new Thread(() -> writeLines(lines, protocol), "bench-protocol-writer");
      writer.setDaemon(true);
      writer.start();
      lines.add("READY");
      try (BufferedReader input = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        String command;
        while ((command = input.readLine()) != null && !command.equals("STOP")) {
          if (command.equals("GC")) {
            Heap.usedAfterGc();
          }
          if (command.equals("COUNTS") || command.equals("GC")) {
            lines.add("C " + chainwatch.changesProcessed() + " " + chainwatch.changesDropped());
          }
        }
      }
      chainwatch.close();
      client.close();
    }

    private static void writeLines(BlockingQueue<String> lines, PrintStream protocol) {
      List<String> batch = new ArrayList<>();
      try {
        while (true) {
          batch.add(lines.take());
          lines.drainTo(batch);
          for (String line : batch) {
            protocol.print(line);
            protocol.print('\n');
          }
          protocol.flush();
          batch.clear();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
