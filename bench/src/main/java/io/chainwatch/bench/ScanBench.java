package io.chainwatch.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code chainwatch scan} on a large kubectl dump, next to Python's {@code json.load} of the same file in the same
 * run: both as whole commands (a JVM with a fixed heap cap, the interpreter), so start-up counts on both sides. Also
 * the same content as a YAML List, whose scan must stay within a smaller heap.
 */
final class ScanBench {
  record Timing(double seconds, int exit, String tail) {}

  private final Path dir;

  ScanBench(Path dir) {
    this.dir = dir;
  }

  /**
   * Writes a {@code kind: List} dump of about {@code megabytes} MB: nodes with their agents, pods (every tenth without
   * a CiliumEndpoint) and their endpoints. Returns the pod count.
   */
  int writeJson(Path file, int megabytes) throws IOException {
    Workload workload = new Workload();
    long target = megabytes * 1_000_000L;
    int pods = 0;
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[");
      long written = 0;
      int nodes = 50;
      for (int i = 0; i < nodes; i++) {
        written += item(out, Workload.node(i, 1), i > 0);
        written += item(out, Workload.agent(i, 1), true);
      }
      written += item(out, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cilium-config\","
          + "\"namespace\":\"kube-system\"},\"data\":{\"cni-chaining-mode\":\"generic-veth\"}}", true);
      while (written < target) {
        written += item(out, workload.pod(pods, 1), true);
        if (pods % 10 != 0) {
          written += item(out, workload.endpoint(pods, 1), true);
        }
        pods++;
      }
      out.write("]}");
    }
    return pods;
  }

  private static long item(BufferedWriter out, String json, boolean comma) throws IOException {
    if (comma) {
      out.write(',');
    }
    out.write(json);
    return json.length() + 1;
  }

  /** The same items as a YAML List (block style), converted from the JSON dump. */
  static void writeYaml(Path json, Path yaml) throws IOException {
    org.yaml.snakeyaml.LoaderOptions loading = new org.yaml.snakeyaml.LoaderOptions();
    loading.setCodePointLimit(Integer.MAX_VALUE);
    Object document = new org.yaml.snakeyaml.Yaml(loading).load(Files.readString(json)); // JSON is YAML
    org.yaml.snakeyaml.DumperOptions options = new org.yaml.snakeyaml.DumperOptions();
    options.setDefaultFlowStyle(org.yaml.snakeyaml.DumperOptions.FlowStyle.BLOCK);
    try (BufferedWriter out = Files.newBufferedWriter(yaml, StandardCharsets.UTF_8)) {
      new org.yaml.snakeyaml.Yaml(options).dump(document, out);
    }
  }

  /** The JVM flags README gives for {@code scan}: a short-lived command starts faster with C1 and the serial GC. */
  static final List<String> CLI_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  Timing scan(Path file, String heap, List<String> flags) throws Exception {
    List<String> command = new ArrayList<>(List.of(Jvm.launcher(), "-Xmx" + heap));
    command.addAll(flags);
    command.addAll(List.of("-cp", classpath(), "io.chainwatch.watcher.Main", "scan",
        "--now", "2026-11-30T00:00:00Z", file.toString()));
    return time(command);
  }

  /**
   * The production jar when the benchmark runs from the repository root after a build (what a person runs: the
   * benchmark's own jar is twice its size and starts slower), else the benchmark's class path.
   */
  static String classpath() {
    Path production = Path.of(System.getProperty("bench.scanJar", "watcher/target/chainwatch.jar"));
    return Files.isRegularFile(production) ? production.toString() : System.getProperty("java.class.path");
  }

  Timing python(Path file) throws Exception {
    return time(List.of("python3", "-c", "import json, sys\nwith open(sys.argv[1]) as f: json.load(f)",
        file.toString()));
  }

  private Timing time(List<String> command) throws Exception {
    Path output = Files.createTempFile(dir, "out", ".txt");
    long t0 = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("did not finish in 10 minutes: " + command);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    List<String> lines = new ArrayList<>(Files.readAllLines(output));
    Files.delete(output);
    String tail = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    return new Timing(seconds, process.exitValue(), tail.length() > 200 ? tail.substring(0, 200) : tail);
  }
}
