package io.chainwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps the harness working in CI. It asserts that every section ran, never how fast. */
@Tag("slow")
class BenchQuickTest {
  @TempDir Path out;

  @Test
  void quickModeProducesEverySectionAndThePlots() throws Exception {
    List<Path> scratchBefore = scratchDirectories();

    String report = BenchMain.run(List.of("--quick", "--out", out.toString()),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

    assertThat(report).contains("## Heap per cached object", "## Pipeline", "Sustained throughput", "## Initial sync",
            "## Fleet correlator", "Findings for pods sent with their endpoint (false alarms; 0 expected): sustained ",
            // chainwatch runs in a JVM of its own: its threads' CPU is read from /proc
            "chainwatch ran in a JVM of its own", "| chainwatch's own JVM: garbage collector (G1's threads) | ")
        .contains("| 3000 | chainwatch | 256m |").doesNotContain("failed");
    assertThat(report.lines().filter(line -> line.contains("| 3000 | chainwatch |"))).noneMatch(l -> l.contains("OutOfMemory"));
    for (String png : List.of("heap.png", "latency.png", "sync.png")) {
      assertThat(Files.size(out.resolve(png))).as(png).isPositive();
    }
    assertThat(out.resolve("results.md")).exists();
    // a full run used to leave about 4 GB of broker logs, spools and dumps behind
    assertThat(scratchDirectories()).as("every section deleted its scratch directory")
        .containsExactlyInAnyOrderElementsOf(scratchBefore);
  }

  private static List<Path> scratchDirectories() throws java.io.IOException {
    try (var entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return entries.filter(path -> path.getFileName().toString().matches(
          "chainwatch-(bench-(pipeline|remediation|sync|scan)|audit-bench|fleet-bench)\\d+")).toList();
    }
  }
}
