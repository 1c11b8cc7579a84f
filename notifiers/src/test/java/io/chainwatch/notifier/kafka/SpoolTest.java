package io.chainwatch.notifier.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
  @TempDir Path dir;

  @Test
  void whatWasNotAcknowledgedComesBackInOrderAfterARestart() throws Exception {
    try (Spool spool = new Spool(dir, 1 << 20)) {
      assertThat(spool.open()).isEmpty();
      for (int i = 1; i <= 5; i++) {
        spool.append("audit", "k" + i, "v" + i);
      }
      spool.ack(1);
      spool.ack(3);
      spool.checkpoint();
    }

    try (Spool reopened = new Spool(dir, 1 << 20)) {
      List<Spool.Entry> left = reopened.open();

      assertThat(left).extracting(Spool.Entry::value).containsExactly("v2", "v3", "v4", "v5")
          .as("the watermark only passes contiguous acknowledgements; 3 is sent again, with its id");
      assertThat(reopened.append("audit", "k6", "v6")).get().extracting(Spool.Entry::seq).isEqualTo(6L);
    }
  }

  @Test
  void aLineCutShortByACrashIsSkippedAndTheRestSurvives() throws Exception {
    try (Spool spool = new Spool(dir, 1 << 20)) {
      spool.open();
      spool.append("audit", "k1", "v1");
      spool.append("audit", "k2", "v2");
    }
    try (Stream<Path> files = Files.list(dir)) {
      Path segment = files.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
      Files.writeString(segment, "{\"seq\":3,\"topic\":\"au", StandardOpenOption.APPEND);
    }

    try (Spool reopened = new Spool(dir, 1 << 20)) {
      assertThat(reopened.open()).extracting(Spool.Entry::value).containsExactly("v1", "v2");
    }
  }

  @Test
  void aRecordAcceptedRightAfterACutLineSurvivesTheNextReopen() throws Exception {
    // a crash cut the only line of a segment: its record was never counted, so the next record gets its number and
    // the spool opens the same file again
    Files.writeString(dir.resolve(String.format("segment-%020d.log", 1)), "{\"seq\":1,\"topic\":\"au");
    try (Spool spool = new Spool(dir, 1 << 20)) {
      assertThat(spool.open()).isEmpty();
      spool.append("audit", "k1", "accepted-after-the-cut");
    }

    try (Spool reopened = new Spool(dir, 1 << 20)) {
      assertThat(reopened.open()).extracting(Spool.Entry::value).containsExactly("accepted-after-the-cut");
    }
  }

  @Test
  void acknowledgedSegmentsAreDeletedAndTheBoundRefusesAndCounts() throws Exception {
    try (Spool spool = new Spool(dir, 600)) {
      spool.open();
      String value = "x".repeat(100);
      int accepted = 0;
      for (int i = 0; i < 10; i++) {
        accepted += spool.append("audit", "k", value).isPresent() ? 1 : 0;
      }

      assertThat(accepted).isBetween(3, 5);
      assertThat(spool.dropped()).isEqualTo(10 - accepted);
      assertThat(spool.nearlyFull()).isTrue();
      for (long seq = 1; seq <= accepted; seq++) {
        spool.ack(seq);
      }
      spool.checkpoint();
      assertThat(spool.depth()).isZero();
      assertThat(spool.bytes()).isZero();
      assertThat(spool.append("audit", "k", value)).as("space is free again").isPresent();
      spool.ack(spool.depth() + accepted);
      spool.checkpoint();
    }
    try (Spool reopened = new Spool(dir, 600)) {
      assertThat(reopened.open()).isEmpty();
    }
  }

  @Test
  void aDamagedWatermarkIsAClearError() throws Exception {
    Files.writeString(dir.resolve("acked"), "lots");

    assertThatThrownBy(() -> new Spool(dir, 1 << 20).open()).hasMessageContaining("acked")
        .hasMessageContaining("lots");
  }
}
