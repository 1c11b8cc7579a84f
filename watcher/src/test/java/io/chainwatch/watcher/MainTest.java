package io.chainwatch.watcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MainTest {
  @Test
  void usageErrorsExitWithTwo() {
    assertThat(Main.execute("scan")).isEqualTo(2);
    assertThat(Main.execute("scan", "--now", "yesterday", "x.json")).isEqualTo(2);
    assertThat(Main.execute("frobnicate")).isEqualTo(2);
    assertThat(Main.execute()).isEqualTo(2);
  }

  @Test
  void scanExitCodeReflectsFindings() throws Exception {
    assertThat(Main.execute("scan", "--now", "2026-11-23T04:10:00Z", "src/test/resources/dumps/race-cluster.json"))
        .isEqualTo(1);
    java.nio.file.Path onlyMissedChain = java.nio.file.Files.createTempFile("chainwatch", ".yaml");
    java.nio.file.Files.writeString(onlyMissedChain, "detectors:\n  deployment-doctor:\n    enabled: false\n");
    assertThat(Main.execute("scan", "--config", onlyMissedChain.toString(), "--now", "2026-11-23T04:01:00Z",
        "src/test/resources/dumps/race-cluster.json")).isEqualTo(0);
  }
}
