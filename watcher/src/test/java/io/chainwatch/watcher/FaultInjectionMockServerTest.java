package io.chainwatch.watcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chainwatch.config.ConfigLoader;
import io.chainwatch.testkit.EmbeddedKafka;
import io.chainwatch.testkit.LocalSlackServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults around the whole service (RELIABILITY.md): a broker that is not there yet, and secrets in logs. */
@Tag("slow")
@EnableKubernetesMockClient(crud = true, https = false)
class FaultInjectionMockServerTest {
  KubernetesClient client;
  @TempDir Path dir;

  private void racePod(Instant agentReady) {
    client.getConfiguration().setRequestRetryBackoffLimit(0);
    client.nodes().resource(KubeObjects.node("node-1")).create();
    client.pods().resource(KubeObjects.agent("node-1", agentReady)).create();
    client.pods().resource(KubeObjects.pod("shop", "racer", "node-1", agentReady.minusSeconds(30))).create();
  }

  @Test
  void aBrokerThatIsNotThereAtStartUpCostsReadinessNotRecords() throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.prepare(dir.resolve("kafka"));
    Map<String, String> env = new HashMap<>(Map.of("CHAINWATCH_HTTP_PORT", "0",
        "CHAINWATCH_STATE_DIR", dir.resolve("state").toString(),
        "CHAINWATCH_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
        "CHAINWATCH_KAFKA_DELIVERY_TIMEOUT", "PT5S",
        "CHAINWATCH_EVENTS_ENABLED", "false"));
    Chainwatch chainwatch = Chainwatch.start(ConfigLoader.load(null, env), client, Clock.systemUTC(),
        new PrintStream(OutputStream.nullOutputStream()));
    try {
      racePod(Instant.now().minusSeconds(600));
      await().atMost(Duration.ofSeconds(15)).until(() -> !chainwatch.openFindings().isEmpty());
      await().atMost(Duration.ofSeconds(20)).until(() -> !chainwatch.ready());
      String spooled = chainwatch.metrics().scrape().lines()
          .filter(l -> l.startsWith("chainwatch_kafka_spool_records")).findFirst().orElseThrow();

      long brokerStarted = System.nanoTime();
      kafka.startBroker();
      await().atMost(Duration.ofSeconds(60)).until(chainwatch::ready);
      double recovery = (System.nanoTime() - brokerStarted) / 1e9;

      await().atMost(Duration.ofSeconds(30)).until(() -> metric(chainwatch, "chainwatch_kafka_spool_records") == 0);
      int acknowledged = (int) metric(chainwatch, "chainwatch_kafka_acknowledged_total");
      Set<String> ids = new HashSet<>();
      int records = readAll(kafka.bootstrapServers(), List.of("chainwatch.audit", "chainwatch.pages"), ids,
          acknowledged);
      System.out.printf("broker absent at start-up: %s; after it started: ready again in %.1f s, %d records read, "
          + "%d distinct ids%n", spooled, recovery, records, ids.size());
      assertThat(spooled).doesNotEndWith(" 0.0");
      assertThat(ids.size()).as("every acknowledged record is readable").isEqualTo(acknowledged);
      assertThat(acknowledged).isGreaterThanOrEqualTo(3);
      assertThat(chainwatch.metrics().scrape()).contains("chainwatch_kafka_dropped_total 0.0");
    } finally {
      chainwatch.close();
      kafka.close();
    }
  }

  @Test
  void auditRecordsLostToAFullDiskPageOnCall() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(Path.of("/dev/full")),
        "needs Linux's /dev/full, which answers every write with ENOSPC (a full disk)");
    EmbeddedKafka kafka = EmbeddedKafka.prepare(dir.resolve("kafka")); // never started: nothing is acknowledged
    LocalSlackServer slack = LocalSlackServer.start();
    java.nio.file.Files.writeString(dir.resolve("token"), "xoxb-full-disk");
    Chainwatch chainwatch = Chainwatch.start(ConfigLoader.load(null, Map.of("CHAINWATCH_HTTP_PORT", "0",
        "CHAINWATCH_STATE_DIR", dir.resolve("state").toString(),
        "CHAINWATCH_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
        "CHAINWATCH_SLACK_TOKEN_FILE", dir.resolve("token").toString(),
        "CHAINWATCH_SLACK_CHANNEL", "#oncall",
        "CHAINWATCH_SLACK_API_URL", slack.apiUrl(),
        "CHAINWATCH_EVENTS_ENABLED", "false")), client, Clock.systemUTC(),
        new PrintStream(OutputStream.nullOutputStream()));
    Path spool = dir.resolve("state").resolve("spool");
    try {
      // the disk fills up under the spool: the segment files it opens next are the kernel's full disk
      for (int seq = 0; seq < 50; seq++) {
        java.nio.file.Files.createSymbolicLink(spool.resolve(String.format("segment-%020d.log", seq)),
            Path.of("/dev/full"));
      }
      racePod(Instant.now().minusSeconds(600));

      await().atMost(Duration.ofSeconds(30)).until(() -> metric(chainwatch, "chainwatch_kafka_dropped_total") > 0);
      await().atMost(Duration.ofSeconds(30)).until(() -> slack.roots().stream()
          .anyMatch(root -> String.valueOf(root.text).contains("audit record(s) dropped")
              || String.valueOf(root.blocks).contains("audit record(s) dropped")));
      System.out.printf("full disk under the spool: %.0f records dropped, paged on Slack%n",
          metric(chainwatch, "chainwatch_kafka_dropped_total"));
    } finally {
      chainwatch.close();
      for (int seq = 0; seq < 50; seq++) {
        java.nio.file.Files.deleteIfExists(spool.resolve(String.format("segment-%020d.log", seq)));
      }
      slack.close();
      kafka.close();
    }
  }

  private static double metric(Chainwatch chainwatch, String name) {
    return chainwatch.metrics().scrape().lines().filter(l -> l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1))).findFirst().orElse(-1);
  }

  private static int readAll(String bootstrap, List<String> topics, Set<String> ids, int atLeast) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "reliability-" + System.nanoTime());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    int records = 0;
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(topics);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (ids.size() < atLeast && System.nanoTime() < deadline) {
        for (var record : consumer.poll(Duration.ofMillis(200))) {
          records++;
          ids.add(new JsonObject(record.value()).getString("id"));
        }
      }
    }
    return records;
  }

  @Test
  void theSlackTokenAndTheKafkaPasswordNeverAppearInTheLogs() throws Exception {
    String token = "xoxb-0123-SECRET-SLACK-TOKEN";
    String password = "kafka-SECRET-p4ssw0rd";
    Files.writeString(dir.resolve("token"), token);
    Files.writeString(dir.resolve("user"), "chainwatch");
    Files.writeString(dir.resolve("password"), password);
    EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
    LocalSlackServer slack = LocalSlackServer.start();
    PrintStream originalErr = System.err;
    PrintStream originalOut = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
    System.setErr(capture);
    System.setOut(capture);
    Chainwatch chainwatch = null;
    try {
      Map<String, String> env = new HashMap<>(Map.of("CHAINWATCH_HTTP_PORT", "0",
          "CHAINWATCH_STATE_DIR", dir.resolve("state").toString(),
          "CHAINWATCH_LOG_LEVEL", "debug",
          "CHAINWATCH_SLACK_TOKEN_FILE", dir.resolve("token").toString(),
          "CHAINWATCH_SLACK_CHANNEL", "#oncall",
          "CHAINWATCH_SLACK_API_URL", slack.apiUrl(),
          "CHAINWATCH_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
          // the broker speaks PLAINTEXT: the SASL handshake fails and is logged, which is the point
          "CHAINWATCH_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT"));
      env.put("CHAINWATCH_KAFKA_SASL_USERNAME_FILE", dir.resolve("user").toString());
      env.put("CHAINWATCH_KAFKA_SASL_PASSWORD_FILE", dir.resolve("password").toString());
      var config = ConfigLoader.load(null, env);
      System.err.println(config.describe());
      chainwatch = Chainwatch.start(config, client, Clock.systemUTC(), System.out);
      racePod(Instant.now().minusSeconds(600));
      Chainwatch running = chainwatch;
      await().atMost(Duration.ofSeconds(20)).until(() -> !slack.roots().isEmpty() && !running.openFindings().isEmpty());
    } finally {
      if (chainwatch != null) {
        chainwatch.close();
      }
      System.setErr(originalErr);
      System.setOut(originalOut);
      slack.close();
      kafka.close();
    }
    String logs = captured.toString(StandardCharsets.UTF_8);

    assertThat(logs).as("the run logged (sanity)").contains("Notifiers: Kafka", "slack.tokenFile = ",
        "kafka.saslPasswordFile = ");
    assertThat(logs).doesNotContain(token).doesNotContain(password);
    System.out.println("secrets check: " + logs.length() + " characters of logs, token and password absent");
  }
}
