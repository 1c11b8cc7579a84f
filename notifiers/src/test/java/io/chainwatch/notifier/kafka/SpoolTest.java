package io.chainwatch.notifier.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
  @TempDir Path dir;

  @Test
  void headersAreSpooledWithTheirRecordAndComeBackAfterARestart() throws Exception {
    try (Spool spool = new Spool(dir, 1 << 20)) {
      spool.open();
      spool.append("audit", "k1", "{\"v\":1}", Map.of("chainwatch-cluster", "prod-eu-1",
          "chainwatch-cause", "rp-filter-reset/uplink-strict/os-image=Ubuntu 22.04.4 LTS"));
      spool.append("audit", "k2", "v2"); // none
      spool.append("inventory", "prod/n1", null, Map.of("chainwatch-node", "n1")); // a tombstone
      spool.checkpoint();
    }

    try (Spool reopened = new Spool(dir, 1 << 20)) {
      assertThat(reopened.open()).isEqualTo(3);
      List<Spool.Entry> left = reopened.take();
      assertThat(left.get(2).value()).as("a tombstone stays one").isNull();
      assertThat(left.get(2).key()).isEqualTo("prod/n1");
      assertThat(left.get(0).headers()).containsExactlyInAnyOrderEntriesOf(Map.of("chainwatch-cluster", "prod-eu-1",
          "chainwatch-cause", "rp-filter-reset/uplink-strict/os-image=Ubuntu 22.04.4 LTS"));
      assertThat(left.get(1).headers()).isEmpty();
    }
  }

  @Test
  void whatWasNotAcknowledgedComesBackInOrderAfterARestart() throws Exception {
    try (Spool spool = new Spool(dir, 1 << 20)) {
      assertThat(spool.open()).isZero();
      for (int i = 1; i <= 5; i++) {
        spool.append("audit", "k" + i, "v" + i);
      }
      spool.ack(1);
      spool.ack(3);
      spool.checkpoint();
    }

    try (Spool reopened = new Spool(dir, 1 << 20)) {
      assertThat(reopened.open()).isEqualTo(4);
      List<Spool.Entry> left = reopened.take();

      assertThat(left).extracting(Spool.Entry::value).containsExactly("v2", "v3", "v4", "v5")
          .as("the watermark only passes contiguous acknowledgements; 3 is sent again, with its id");
      assertThat(reopened.append("audit", "k6", "v6")).get().extracting(Spool.Entry::seq).isEqualTo(6L);
    }
  }

  /**
   * Checkpoints write to disk outside the spool's lock while another thread appends and a third acknowledges (as the
   * spooler and the producer's network thread do): after a restart exactly the records never acknowledged come back,
   * whatever the interleaving, with a segment rolled and deleted meanwhile.
   */
  @Test
  void checkpointsRunningBesideAppendsAndAcknowledgementsLoseNothingAndResendNothingAcknowledgedBelowTheWatermark()
      throws Exception {
    int records = 3_000;
    java.util.Set<Long> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
    try (Spool spool = new Spool(dir, 64L << 20)) {
      spool.open();
      java.util.concurrent.atomic.AtomicBoolean appending = new java.util.concurrent.atomic.AtomicBoolean(true);
      Thread checkpoints = new Thread(() -> {
        while (appending.get()) {
          spool.checkpoint();
        }
      });
      Thread acknowledger = new Thread(() -> {
        java.util.Random random = new java.util.Random(7);
        while (appending.get() || spool.depth() > 0) {
          for (Spool.Entry entry : spool.take()) {
            if (random.nextInt(10) > 0) { // one in ten is left unacknowledged, as a record the broker refused
              spool.ack(entry.seq());
              acknowledged.add(entry.seq());
            }
          }
          if (!appending.get()) {
            break;
          }
        }
      });
      checkpoints.start();
      acknowledger.start();
      for (int i = 1; i <= records; i++) {
        spool.append("audit", "k" + i, "v".repeat(2_000) + i); // 6 MB in all: segments of 4 MB roll meanwhile
      }
      appending.set(false);
      checkpoints.join(10_000);
      acknowledger.join(10_000);
      assertThat(checkpoints.isAlive() || acknowledger.isAlive()).as("both threads ended").isFalse();
      spool.checkpoint();
    }

    try (Spool reopened = new Spool(dir, 64L << 20)) {
      reopened.open();
      java.util.List<Long> back = new java.util.ArrayList<>();
      for (List<Spool.Entry> batch = reopened.take(); !batch.isEmpty(); batch = reopened.take()) {
        batch.forEach(entry -> back.add(entry.seq()));
      }
      java.util.Set<Long> never = new java.util.TreeSet<>();
      for (long seq = 1; seq <= records; seq++) {
        if (!acknowledged.contains(seq)) {
          never.add(seq);
        }
      }
      assertThat(back).as("every record never acknowledged comes back").containsAll(never);
      long watermark = never.isEmpty() ? records : never.iterator().next() - 1;
      assertThat(back).as("nothing at or below the watermark comes back").allMatch(seq -> seq > watermark);
      assertThat(back).as("in order, once each").isSorted().doesNotHaveDuplicates();
    }
  }

  @Test
  void valuesWithTabsLineBreaksAndQuotesComeBackExactlyAndAnOlderSpoolIsStillRead() throws Exception {
    List<String> values = List.of("{\"specversion\":\"1.0\",\"data\":{\"note\":\"a\\tb\\nc\"}}", "raw\ttab\tinside",
        "two\nlines", "carriage\rreturn", "\"quoted\" \\ backslash", "");
    try (Spool spool = new Spool(dir, 1 << 20)) {
      spool.open();
      values.forEach(value -> spool.append("audit", "k\tkey", value));
      spool.checkpoint();
    }
    // a segment written by an earlier version: one JSON object per line, the value escaped inside it
    Path older = Files.list(dir).filter(f -> f.getFileName().toString().startsWith("segment-")).findFirst().get();
    Files.writeString(older, "{\"seq\":7,\"topic\":\"audit\",\"key\":\"k7\",\"value\":\"old\\tform\"}\n",
        StandardOpenOption.APPEND);

    try (Spool reopened = new Spool(dir, 1 << 20)) {
      reopened.open();
      List<Spool.Entry> back = reopened.take();
      assertThat(back).extracting(Spool.Entry::value).containsExactlyElementsOf(
          java.util.stream.Stream.concat(values.stream(), Stream.of("old\tform")).toList());
      assertThat(back).extracting(Spool.Entry::key).startsWith("k\tkey").endsWith("k7");
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
      reopened.open();
      assertThat(reopened.take()).extracting(Spool.Entry::value).containsExactly("v1", "v2");
    }
  }

  @Test
  void aRecordAcceptedRightAfterACutLineSurvivesTheNextReopen() throws Exception {
    // a crash cut the only line of a segment: its record was never counted, so the next record gets its number and
    // the spool opens the same file again
    Files.writeString(dir.resolve(String.format("segment-%020d.log", 1)), "{\"seq\":1,\"topic\":\"au");
    try (Spool spool = new Spool(dir, 1 << 20)) {
      assertThat(spool.open()).isZero();
      spool.append("audit", "k1", "accepted-after-the-cut");
    }

    try (Spool reopened = new Spool(dir, 1 << 20)) {
      reopened.open();
      assertThat(reopened.take()).extracting(Spool.Entry::value).containsExactly("accepted-after-the-cut");
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
      assertThat(reopened.open()).isZero();
      assertThat(reopened.take()).isEmpty();
    }
  }

  @Test
  void memoryStaysWithinItsWindowWhateverTheDiskHoldsAndEveryRecordComesBackInOrder() throws Exception {
    long window = 64 * 1024;
    String value = "v".repeat(900);
    int records = 20_000; // about 19 MB on disk, 300 times the window
    try (Spool spool = new Spool(dir, 1L << 30, window)) {
      spool.open();
      for (int i = 1; i <= records; i++) {
        spool.append("audit", "k" + i, value);
      }
      assertThat(spool.heldBytes()).isLessThanOrEqualTo(window);
      // half is delivered in this run, in order, never holding more than the window
      long expected = 1;
      while (expected <= records / 2) {
        List<Spool.Entry> batch = spool.take();
        assertThat(batch).isNotEmpty();
        assertThat(spool.heldBytes()).isLessThanOrEqualTo(window);
        for (Spool.Entry entry : batch) {
          assertThat(entry.seq()).isEqualTo(expected++);
          if (entry.seq() <= records / 2) {
            spool.ack(entry.seq()); // the rest of the last batch was in flight when chainwatch stopped
          }
        }
      }
      spool.checkpoint();
      assertThat(spool.depth()).isEqualTo(records / 2);
    }
    System.out.printf("spool: %d records, %d MB on disk, read back through a %d KB window%n", records,
        records * 950L / 1_000_000, window / 1024);

    try (Spool reopened = new Spool(dir, 1L << 30, window)) {
      long left = reopened.open();
      assertThat(left).isEqualTo(records / 2);
      assertThat(reopened.heldBytes()).as("opening loads nothing").isZero();
      reopened.append("audit", "late", "appended-after-the-restart");
      List<String> keys = new java.util.ArrayList<>();
      long expected = records / 2 + 1;
      for (List<Spool.Entry> batch = reopened.take(); !batch.isEmpty(); batch = reopened.take()) {
        assertThat(reopened.heldBytes()).isLessThanOrEqualTo(window);
        for (Spool.Entry entry : batch) {
          assertThat(entry.seq()).isEqualTo(expected++);
          keys.add(entry.key());
          reopened.ack(entry.seq());
        }
      }
      assertThat(keys).hasSize(records / 2 + 1).endsWith("late");
      reopened.checkpoint();
      assertThat(reopened.depth()).isZero();
      assertThat(reopened.bytes()).as("everything acknowledged: the segments are gone").isZero();
    }
  }

  @Test
  void aRecordThatFailsToSendIsNotHandedOutTwiceAndHoldsItsPlace() throws Exception {
    try (Spool spool = new Spool(dir, 1 << 20, 1 << 20)) {
      spool.open();
      spool.append("audit", "k1", "v1");
      spool.append("audit", "k2", "v2");
      List<Spool.Entry> first = spool.take();
      assertThat(first).hasSize(2);
      assertThat(spool.take()).as("the caller keeps what failed and sends it again").isEmpty();
      spool.ack(2);
      spool.checkpoint();
    }
    try (Spool reopened = new Spool(dir, 1 << 20)) {
      reopened.open();
      assertThat(reopened.take()).extracting(Spool.Entry::value).as("1 was never acknowledged").containsExactly("v1",
          "v2");
    }
  }

  @Test
  void aDamagedWatermarkIsAClearError() throws Exception {
    Files.writeString(dir.resolve("acked"), "lots");

    assertThatThrownBy(() -> new Spool(dir, 1 << 20).open()).hasMessageContaining("acked")
        .hasMessageContaining("lots");
  }
}
