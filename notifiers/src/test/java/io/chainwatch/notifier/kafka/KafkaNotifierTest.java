package io.chainwatch.notifier.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chainwatch.config.NotifiersConfig;
import io.chainwatch.testkit.EmbeddedKafka;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real KRaft broker started in this JVM: what a consumer reads back, through outages and restarts. */
@Tag("slow")
class KafkaNotifierTest {
  private static EmbeddedKafka kafka;
  @TempDir static Path brokerDir;
  @TempDir Path spoolDir;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start(brokerDir);
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  private NotifiersConfig.Kafka config(String topicPrefix) {
    return new NotifiersConfig.Kafka(kafka.bootstrapServers(), topicPrefix + ".audit", topicPrefix + ".pages",
        64L * 1024 * 1024, Duration.ofSeconds(6), "PLAINTEXT", "PLAIN", "", "", "", "");
  }

  private KafkaNotifier notifier(NotifiersConfig.Kafka config) throws Exception {
    KafkaNotifier notifier = new KafkaNotifier(config, spoolDir,
        Map.of("request.timeout.ms", 3000, "retry.backoff.ms", 200, "reconnect.backoff.max.ms", 500));
    notifier.start();
    return notifier;
  }

  private static String event(String id, String incident) {
    return new CloudEventMapper("test", () -> id).page(CloudEventMapperTest.incidentChange()).put("id", id)
        .put("chainwatchincident", incident).encode();
  }

  /** Reads {@code topic} from the beginning until {@code expected} distinct ids arrived (or the time is up). */
  private static List<ConsumerRecord<String, String>> readBack(String topic, int expected) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + System.nanoTime());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (ids(records).size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      consumer.poll(Duration.ofMillis(300)).forEach(records::add); // anything that would be one too many
    }
    return records;
  }

  private static Set<String> ids(List<ConsumerRecord<String, String>> records) {
    return records.stream().map(r -> new JsonObject(r.value()).getString("id")).collect(Collectors.toSet());
  }

  @Test
  void recordsSentFromManyThreadsWithPausesBetweenAreEachSpooledAndSentOnce() throws Exception {
    // senders on several threads that pause now and then, so the spooler is met asleep, waking and draining
    NotifiersConfig.Kafka config = config("threads");
    try (KafkaNotifier notifier = notifier(config)) {
      List<Thread> senders = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        Thread sender = new Thread(() -> {
          for (int i = 0; i < 250; i++) {
            String id = "id-" + (thread * 1000 + i);
            notifier.send(config.auditTopic(), "incident-" + thread, event(id, "incident-" + thread));
            if (i % 25 == 0) {
              java.util.concurrent.locks.LockSupport.parkNanos(3_000_000);
            }
          }
        });
        sender.start();
        senders.add(sender);
      }
      for (Thread sender : senders) {
        sender.join();
      }

      await().atMost(Duration.ofSeconds(30)).until(() -> notifier.acknowledged() == 1000);
      assertThat(notifier.depth()).isZero();
      assertThat(notifier.dropped()).isZero();
    }
    List<ConsumerRecord<String, String>> records = readBack("threads.audit", 1000);
    assertThat(records).hasSize(1000);
    assertThat(ids(records)).hasSize(1000);
    assertInOrderPerKey(records); // each thread sends its own incident's records in order
  }

  /** Each key's records in the order of their ids ("id-N"): sent in that order, they must arrive so. */
  private static void assertInOrderPerKey(List<ConsumerRecord<String, String>> records) {
    Map<String, List<Integer>> orderPerKey = new HashMap<>();
    records.forEach(r -> orderPerKey.computeIfAbsent(r.key(), k -> new ArrayList<>())
        .add(Integer.parseInt(new JsonObject(r.value()).getString("id").substring(3))));
    orderPerKey.values().forEach(order -> assertThat(order).as("one incident's records in order").isSorted());
  }

  @Test
  void everyRecordArrivesOnceWithValidCloudEventAttributesKeyedByIncident() throws Exception {
    NotifiersConfig.Kafka config = config("plain");
    try (KafkaNotifier notifier = notifier(config)) {
      for (int i = 0; i < 200; i++) {
        notifier.send(config.pagesTopic(), "incident-" + (i % 7), event("id-" + i, "incident-" + (i % 7)),
            Map.of("chainwatch-cluster", "prod", "chainwatch-node", "n" + i));
      }

      await().atMost(Duration.ofSeconds(30)).until(() -> notifier.acknowledged() == 200);
      assertThat(notifier.depth()).isZero();
      assertThat(notifier.dropped()).isZero();
    }

    List<ConsumerRecord<String, String>> records = readBack("plain.pages", 200);
    assertThat(records).hasSize(200);
    assertThat(ids(records)).hasSize(200);
    for (ConsumerRecord<String, String> record : records) {
      assertThat(RecordSchema.errors(record.value())).isEmpty();
      assertThat(new String(record.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8))
          .isEqualTo("application/cloudevents+json");
      assertThat(new JsonObject(record.value()).getString("chainwatchincident")).isEqualTo(record.key());
      // the fleet facts as plain headers, for routers and Connect transforms that do not parse the value
      assertThat(new String(record.headers().lastHeader("chainwatch-cluster").value(), StandardCharsets.UTF_8))
          .isEqualTo("prod");
      assertThat(record.headers().lastHeader("chainwatch-node")).isNotNull();
    }
    assertInOrderPerKey(records);
  }

  @Test
  void aRecordTheBrokerRefusesForGoodIsDeadLetteredAndNeverHoldsBackTheNextOnes() throws Exception {
    NotifiersConfig.Kafka config = config("poison");
    KafkaNotifier notifier = new KafkaNotifier(config, spoolDir, Map.of("request.timeout.ms", 3000,
        "retry.backoff.ms", 200, "max.request.size", 4096));
    notifier.start();
    try {
      notifier.send(config.auditTopic(), "incident-1", event("before", "incident-1"));
      notifier.send(config.auditTopic(), "incident-1", event("poison", "incident-1") .replace("\"poison\"",
          "\"poison\",\"padding\":\"" + "x".repeat(10_000) + "\""));
      for (int i = 0; i < 20; i++) {
        notifier.send(config.auditTopic(), "incident-1", event("after-" + i, "incident-1"));
      }

      await().atMost(Duration.ofSeconds(30)).until(() -> notifier.acknowledged() == 21);
      await().atMost(Duration.ofSeconds(5)).until(() -> notifier.depth() == 0);
      assertThat(notifier.deadLettered()).isEqualTo(1);
      assertThat(notifier.lastDeadLetter()).startsWith("RecordTooLargeException");
      assertThat(notifier.dropped()).isZero();
      List<String> deadLetters = java.nio.file.Files.readAllLines(spoolDir.resolve("dead-letter.jsonl"));
      assertThat(deadLetters).singleElement().satisfies(line -> {
        assertThat(new JsonObject(line).getString("refused")).startsWith("RecordTooLargeException");
        assertThat(new JsonObject(new JsonObject(line).getString("value")).getString("id")).isEqualTo("poison");
      });
    } finally {
      notifier.close();
    }
    List<ConsumerRecord<String, String>> records = readBack("poison.audit", 21);
    assertThat(ids(records)).hasSize(21).doesNotContain("poison").contains("before", "after-19");
    System.out.println("poison record: dead-lettered 1, the 21 others acknowledged, 0 dropped");
  }

  @Test
  void aBootstrapNameThatDoesNotResolveYetCostsReadinessNotRecords() throws Exception {
    NotifiersConfig.Kafka config = new NotifiersConfig.Kafka("kafka-0.kafka-headless.example.invalid:9092",
        "nx.audit", "nx.pages", 64L * 1024 * 1024, Duration.ofSeconds(6), "PLAINTEXT", "PLAIN", "", "", "", "");
    KafkaNotifier notifier = new KafkaNotifier(config, spoolDir, Map.of());
    notifier.start(); // no exception: detection, remediation and Slack keep running

    try {
      notifier.send(config.auditTopic(), "incident-1", event("waiting", "incident-1"));
      await().atMost(Duration.ofSeconds(5)).until(() -> notifier.depth() == 1);
      assertThat(notifier.degraded()).get().asString().contains("the producer cannot be built")
          .contains("1 records wait in the spool");
      assertThat(notifier.dropped()).isZero();
    } finally {
      notifier.close(Duration.ZERO);
    }
  }

  @Test
  void aFullDiskCountsEveryRecordItCouldNotKeep() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(Path.of("/dev/full")),
        "needs Linux's /dev/full, which answers every write with ENOSPC (a full disk)");
    NotifiersConfig.Kafka config = config("diskfull");
    KafkaNotifier notifier = new KafkaNotifier(config, spoolDir, Map.of("request.timeout.ms", 3000));
    notifier.start();
    try {
      // the next segment files the spool opens are the kernel's full disk
      for (int seq = 0; seq < 4; seq++) {
        java.nio.file.Files.createSymbolicLink(spoolDir.resolve(String.format("segment-%020d.log", seq)),
            Path.of("/dev/full"));
      }
      for (int i = 0; i < 5; i++) {
        notifier.send(config.auditTopic(), "incident-1", event("full-" + i, "incident-1"));
      }

      await().atMost(Duration.ofSeconds(10)).until(() -> notifier.dropped() == 5);
      assertThat(notifier.depth()).as("nothing pretends to be spooled").isZero();
      System.out.println("full disk: 5 of 5 records counted as dropped (chainwatch_kafka_dropped_total)");
    } finally {
      for (int seq = 0; seq < 4; seq++) {
        java.nio.file.Files.deleteIfExists(spoolDir.resolve(String.format("segment-%020d.log", seq)));
      }
      notifier.close(Duration.ZERO);
    }
  }

  @Test
  void aSpoolFarLargerThanTheMemoryWindowIsDeliveredWholeAndInOrder() throws Exception {
    NotifiersConfig.Kafka config = config("window");
    int records = 3_000;
    try (Spool earlier = new Spool(spoolDir, config.spoolMaxBytes())) {
      earlier.open();
      for (int i = 0; i < records; i++) {
        earlier.append(config.auditTopic(), "i", event("w" + i, "i"));
      }
    }
    long window = 64 * 1024; // about 40 records: the spool on disk holds 75 windows
    KafkaNotifier notifier = new KafkaNotifier(config, spoolDir,
        Map.of("request.timeout.ms", 3000, "retry.backoff.ms", 200, "reconnect.backoff.max.ms", 500), window);
    try {
      notifier.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> notifier.acknowledged() == records);
      List<String> ids = readBack(config.auditTopic(), records).stream()
          .map(r -> new JsonObject(r.value()).getString("id")).distinct().toList();
      assertThat(ids).as("one key: the order of the spool").containsExactlyElementsOf(
          java.util.stream.IntStream.range(0, records).mapToObj(i -> "w" + i).toList());
      assertThat(notifier.depth()).isZero();
    } finally {
      notifier.close(Duration.ofSeconds(1));
    }
  }

  @Test
  void aBrokerOutageLongerThanTheDeliveryTimeoutLosesNothing() throws Exception {
    NotifiersConfig.Kafka config = config("outage");
    try (KafkaNotifier notifier = notifier(config)) {
      notifier.send(config.auditTopic(), "i", event("before", "i"));
      await().atMost(Duration.ofSeconds(30)).until(() -> notifier.acknowledged() == 1);

      kafka.stopBroker();
      for (int i = 0; i < 50; i++) {
        notifier.send(config.auditTopic(), "i", event("during-" + i, "i"));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> notifier.resent() > 0); // the delivery timeout passed
      assertThat(notifier.depth()).isEqualTo(50);
      long back = System.nanoTime();
      kafka.startBroker();

      await().atMost(Duration.ofSeconds(60)).until(() -> notifier.depth() == 0);
      assertThat(notifier.dropped()).isZero();
      System.out.printf("broker outage beyond the delivery timeout: all acknowledged %.1f s after the broker "
          + "returned, %d sends repeated%n", (System.nanoTime() - back) / 1e9, notifier.resent());
    }

    List<ConsumerRecord<String, String>> records = readBack("outage.audit", 51);
    System.out.printf("outage: 51 sent, %d records read, %d distinct ids, %d duplicates%n", records.size(),
        ids(records).size(), records.size() - ids(records).size());
    assertThat(ids(records)).hasSize(51);
    assertThat(records.size() - ids(records).size()).as("duplicates carry the same id").isGreaterThanOrEqualTo(0);
  }

  @Test
  void recordsSpooledWhenChainwatchStoppedAreDeliveredByTheNextRunWithTheirIds() throws Exception {
    NotifiersConfig.Kafka config = config("restart");
    kafka.stopBroker();
    try {
      KafkaNotifier first = notifier(config);
      for (int i = 0; i < 20; i++) {
        first.send(config.auditTopic(), "i", event("spooled-" + i, "i"));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> first.depth() == 20 && first.spoolBytes() > 0);
      first.close(Duration.ZERO); // chainwatch stops while the broker is away
    } finally {
      kafka.startBroker();
    }

    try (KafkaNotifier second = notifier(config)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> second.depth() == 0);
    }

    List<ConsumerRecord<String, String>> records = readBack("restart.audit", 20);
    assertThat(ids(records)).containsAll(java.util.stream.IntStream.range(0, 20).mapToObj(i -> "spooled-" + i)
        .toList());
    assertThat(ids(records)).hasSize(20);
  }
}
