package io.chainwatch.notifier.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainwatch.config.NotifiersConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerPropertiesTest {
  @TempDir Path dir;

  @Test
  void durableDeliveryAndSaslCredentialsFromFiles() throws Exception {
    Files.writeString(dir.resolve("user"), "chainwatch\n");
    Files.writeString(dir.resolve("password"), "s3cr\"et\n");
    Files.writeString(dir.resolve("truststore.pem"), "-----BEGIN CERTIFICATE-----");
    NotifiersConfig.Kafka config = new NotifiersConfig.Kafka("k:9093", "a", "p", 1, Duration.ofMinutes(2),
        "SASL_SSL", "SCRAM-SHA-512", dir.resolve("user").toString(), dir.resolve("password").toString(),
        dir.resolve("truststore.pem").toString(), "");

    Map<String, Object> props = KafkaNotifier.producerProperties(config, Map.of());

    assertThat(props).containsEntry("acks", "all").containsEntry("enable.idempotence", true)
        .containsEntry("delivery.timeout.ms", 120_000).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsEntry("ssl.truststore.type", "PEM");
    // records share requests and are compressed: a steady trickle sent one record per request before
    assertThat(props).containsEntry("linger.ms", 20).containsEntry("batch.size", 512 * 1024)
        .containsEntry("compression.type", "lz4");
    assertThat((String) props.get("sasl.jaas.config")).isEqualTo("org.apache.kafka.common.security.scram."
        + "ScramLoginModule required username=\"chainwatch\" password=\"s3cr\\\"et\";");
  }

  @Test
  void aProducerCanBeBuiltAtEveryAllowedDeliveryTimeout() {
    // Kafka refuses delivery.timeout.ms below linger.ms + request.timeout.ms when the producer is built, not when
    // the properties are: the smallest timeout the configuration allows (PT5S) and the default must both build
    for (Duration delivery : java.util.List.of(Duration.ofSeconds(5), Duration.ofMinutes(2), Duration.ofMinutes(30))) {
      NotifiersConfig.Kafka config = new NotifiersConfig.Kafka("127.0.0.1:9", "a", "p", 1, delivery, "PLAINTEXT",
          "PLAIN", "", "", "", "");
      try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(
          KafkaNotifier.producerProperties(config, Map.of()))) {
        assertThat(producer).isNotNull();
      }
    }
  }

  @Test
  void anUnreadableCredentialFileNamesTheSetting() {
    NotifiersConfig.Kafka config = new NotifiersConfig.Kafka("k:9093", "a", "p", 1, Duration.ofMinutes(2),
        "SASL_PLAINTEXT", "PLAIN", dir.resolve("missing-user").toString(), dir.resolve("p").toString(), "", "");

    assertThatThrownBy(() -> KafkaNotifier.producerProperties(config, Map.of()))
        .hasMessageContaining("kafka.saslUsernameFile").hasMessageContaining("missing-user");
  }
}
