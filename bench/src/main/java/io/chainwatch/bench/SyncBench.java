package io.chainwatch.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Initial sync of {@code pods} pods and as many CiliumEndpoints from the benchmark API server, in a child JVM with a
 * fixed heap cap, for chainwatch and for the naive baseline.
 */
final class SyncBench {
  /**
   * One sync.
   *
   * @param ok false when the child failed (out of memory or timeout)
   * @param seconds from start to every informer synced
   * @param peakHeap peak heap in use during the sync (garbage included)
   * @param retainedHeap heap in use after full collections once synced
   */
  record Result(String mode, int pods, String heapCap, boolean ok, double seconds, long peakHeap, long retainedHeap,
      String failure) {}

  private final Workload workload = new Workload();

  Result run(String mode, int pods, String heapCap) throws Exception {
    // chainwatch's state directory is the child's, deleted here once the child has ended (it halts without stopping)
    try (FakeApiServer server = ApiPaths.cluster(workload, Workload.nodeCount(pods), pods, pods).start();
        ScratchDirectory stateDir = ScratchDirectory.create("chainwatch-bench-sync")) {
      List<String> command = new ArrayList<>(List.of(Jvm.launcher(), "-Xmx" + heapCap, "-XX:+UseG1GC"));
      // e.g. -Dbench.syncJvmFlags="-Dbench.profile=true -XX:StartFlightRecording=filename=sync.jfr,settings=profile"
      String extra = System.getProperty("bench.syncJvmFlags", "").strip();
      if (!extra.isEmpty()) {
        command.addAll(List.of(extra.split("\\s+")));
      }
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), SyncProbe.class.getName(), mode,
          server.url(), stateDir.path().toString()));
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      List<String> problems = new ArrayList<>();
      String result = null;
      try (BufferedReader reader = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          if (line.startsWith("RESULT ")) {
            result = line;
          } else if ((line.contains("Error") || line.contains("Exception")) && !line.startsWith("\t")
              && problems.size() < 500) {
            problems.add(line.trim());
          }
        }
      }
      boolean exited = process.waitFor(900, TimeUnit.SECONDS);
      if (!exited) {
        process.destroyForcibly();
      }
      if (result == null) {
        String failure = !exited ? "timed out"
            : problems.stream().anyMatch(p -> p.contains("OutOfMemoryError")) ? "OutOfMemoryError at -Xmx" + heapCap
            : "failed (exit " + process.exitValue() + "): " + problems.stream().filter(p -> !p.contains("Thread blocked"))
                .findFirst().orElse(problems.isEmpty() ? "no message" : problems.get(0));
        return new Result(mode, pods, heapCap, false, Double.NaN, 0, 0, failure);
      }
      String[] fields = result.split(" ");
      return new Result(mode, pods, heapCap, true, Double.parseDouble(fields[1]), Long.parseLong(fields[2]),
          Long.parseLong(fields[3]), null);
    }
  }
}
