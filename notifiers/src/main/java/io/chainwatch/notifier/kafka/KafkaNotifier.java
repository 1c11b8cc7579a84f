package io.chainwatch.notifier.kafka;

import io.chainwatch.config.NotifiersConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers records to Kafka at least once, in order per key, without ever blocking its caller. {@link #send} only
 * queues; one sending thread appends each record to the {@link Spool} first, then hands it to an idempotent producer
 * with {@code acks=all}, and removes it from the spool once the broker acknowledged it. A record the producer gives up
 * on (the broker was away longer than the delivery timeout) is sent again, from the oldest unacknowledged one on,
 * after a backoff; records left in the spool by an earlier run are sent first. Re-sent records keep their CloudEvent
 * id, so consumers deduplicate by id.
 */
public final class KafkaNotifier implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaNotifier.class);
  private static final int MAX_IN_FLIGHT = 20_000;
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /**
   * A record as handed to {@link #send}.
   *
   * @param topic the topic
   * @param key the key (the incident id)
   * @param value the CloudEvent JSON
   */
  private record Outgoing(String topic, String key, String value) {}

  private final NotifiersConfig.Kafka config;
  private final Spool spool;
  private final Map<String, Object> producerOverrides;
  private final ConcurrentLinkedQueue<Outgoing> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inboxSize = new AtomicInteger();
  private final ConcurrentLinkedQueue<Spool.Entry> spooled = new ConcurrentLinkedQueue<>();
  private final TreeMap<Long, Spool.Entry> unsent = new TreeMap<>();
  private final ConcurrentLinkedQueue<Spool.Entry> failed = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong resent = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile String lastFailure;
  private volatile long lastProgressNanos = System.nanoTime();
  private volatile java.util.function.Consumer<Spool.Entry> onAcknowledged = entry -> { };
  private volatile boolean running;
  private Producer<String, String> producer;
  private Thread sender;
  private Thread spooler;

  /**
   * @param spoolDir the spool's directory
   * @param producerOverrides extra producer properties (tests shorten timeouts)
   */
  public KafkaNotifier(NotifiersConfig.Kafka config, Path spoolDir, Map<String, Object> producerOverrides) {
    this.config = Objects.requireNonNull(config, "config");
    this.spool = new Spool(spoolDir, config.spoolMaxBytes());
    this.producerOverrides = Map.copyOf(producerOverrides);
  }

  /**
   * Opens the spool and starts sending. A broker that is not reachable yet is no error: records wait in the spool.
   *
   * @throws IOException when the spool cannot be opened (a directory that is not writable)
   * @throws IllegalArgumentException when the producer configuration or a credential file is wrong, naming it
   */
  public void start() throws IOException {
    List<Spool.Entry> left = spool.open();
    left.forEach(entry -> unsent.put(entry.seq(), entry));
    if (!left.isEmpty()) {
      LOG.info("Kafka spool holds {} records from an earlier run; sending them first", left.size());
    }
    producer = new KafkaProducer<>(producerProperties(config, producerOverrides));
    running = true;
    // Two threads: the spooler only writes to disk, so a record is safe within milliseconds even while the sender
    // is held up by an absent broker (send() can wait for metadata).
    spooler = new Thread(this::spoolLoop, "chainwatch-kafka-spooler");
    spooler.setDaemon(true);
    spooler.start();
    sender = new Thread(this::sendLoop, "chainwatch-kafka-sender");
    sender.setDaemon(true);
    sender.start();
  }

  /** Queues a record. Never blocks. */
  public void send(String topic, String key, String value) {
    inbox.add(new Outgoing(topic, key, value));
    inboxSize.incrementAndGet();
    LockSupport.unpark(spooler);
  }

  static Map<String, Object> producerProperties(NotifiersConfig.Kafka config, Map<String, Object> overrides) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    int delivery = (int) config.deliveryTimeout().toMillis();
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, delivery);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(30_000, delivery - 5));
    // send() waits this long for metadata when no broker answers; it runs on the sending thread, never the caller's
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "chainwatch");
    props.put("security.protocol", config.securityProtocol());
    if (config.securityProtocol().startsWith("SASL_")) {
      String module = config.saslMechanism().equals("PLAIN")
          ? "org.apache.kafka.common.security.plain.PlainLoginModule"
          : "org.apache.kafka.common.security.scram.ScramLoginModule";
      props.put("sasl.mechanism", config.saslMechanism());
      // a Password-typed setting: Kafka logs it as [hidden]
      props.put("sasl.jaas.config", module + " required username=\"" + quoted(read(config.saslUsernameFile(),
          "kafka.saslUsernameFile")) + "\" password=\"" + quoted(read(config.saslPasswordFile(),
          "kafka.saslPasswordFile")) + "\";");
    }
    if (!config.sslTruststoreFile().isEmpty()) {
      props.put("ssl.truststore.location", config.sslTruststoreFile());
      props.put("ssl.truststore.type", config.sslTruststoreFile().endsWith(".pem") ? "PEM" : "JKS");
      if (!config.sslTruststorePasswordFile().isEmpty()) {
        props.put("ssl.truststore.password", read(config.sslTruststorePasswordFile(),
            "kafka.sslTruststorePasswordFile"));
      }
    }
    props.putAll(overrides);
    return props;
  }

  private static String read(String file, String setting) {
    return io.chainwatch.notifier.SecretFiles.read(file, setting);
  }

  private static String quoted(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private void spoolLoop() {
    while (running) {
      spoolInbox();
      if (inbox.isEmpty()) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }
    spoolInbox(); // what was queued before the stop is kept for the next run
  }

  private void sendLoop() {
    long backoffMillis = 1_000;
    long resumeAt = 0;
    long nextCheckpoint = 0;
    while (running) {
      Spool.Entry ready;
      while ((ready = spooled.poll()) != null) {
        unsent.put(ready.seq(), ready);
      }
      Spool.Entry lost;
      boolean anyFailed = false;
      while ((lost = failed.poll()) != null) {
        unsent.put(lost.seq(), lost);
        anyFailed = true;
      }
      long now = System.nanoTime();
      if (anyFailed) {
        resumeAt = now + TimeUnit.MILLISECONDS.toNanos(backoffMillis);
        LOG.warn("Kafka did not acknowledge {} records ({}); sending them again in {} ms", unsent.size(),
            lastFailure, backoffMillis);
        backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
      }
      // after a failure, wait for everything in flight to settle, then resend from the oldest, in order
      if (now >= resumeAt && (resumeAt == 0 || inFlight.get() == 0)) {
        resumeAt = 0;
        drainUnsent();
      }
      if (now >= nextCheckpoint) {
        spool.checkpoint();
        nextCheckpoint = now + TimeUnit.MILLISECONDS.toNanos(500);
      }
      if (acknowledged.get() > 0 && failed.isEmpty() && unsent.isEmpty()) {
        backoffMillis = 1_000;
      }
      if (spooled.isEmpty()) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
    }
  }

  private void spoolInbox() {
    Outgoing polled;
    while ((polled = inbox.poll()) != null) {
      Outgoing next = polled;
      inboxSize.decrementAndGet();
      try {
        spool.append(next.topic(), next.key(), next.value()).ifPresentOrElse(
            entry -> {
              spooled.add(entry);
              LockSupport.unpark(sender);
            },
            () -> LOG.error("Kafka spool is full ({} bytes): record for {} dropped", spool.bytes(), next.key()));
      } catch (RuntimeException e) {
        LOG.error("Kafka spool write failed; record for {} dropped: {}", next.key(), e.getMessage());
      }
    }
  }

  private void drainUnsent() {
    while (!unsent.isEmpty() && inFlight.get() < MAX_IN_FLIGHT && failed.isEmpty()) {
      Spool.Entry entry = unsent.pollFirstEntry().getValue();
      ProducerRecord<String, String> record = new ProducerRecord<>(entry.topic(), entry.key(), entry.value());
      record.headers().add("content-type", CloudEventMapper.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
      inFlight.incrementAndGet();
      try {
        producer.send(record, (metadata, failure) -> {
          inFlight.decrementAndGet();
          if (failure == null) {
            spool.ack(entry.seq());
            acknowledged.incrementAndGet();
            lastProgressNanos = System.nanoTime();
            onAcknowledged.accept(entry);
          } else {
            failures.incrementAndGet();
            resent.incrementAndGet();
            lastFailure = failure.getClass().getSimpleName() + ": " + failure.getMessage();
            failed.add(entry);
          }
        });
      } catch (RuntimeException e) {
        // send() itself gave up (no metadata within max.block.ms): the broker is away
        inFlight.decrementAndGet();
        failures.incrementAndGet();
        resent.incrementAndGet();
        lastFailure = e.getClass().getSimpleName() + ": " + e.getMessage();
        failed.add(entry);
        return;
      }
    }
  }

  /**
   * Why Kafka delivery is degraded, or empty: records have waited longer than the delivery timeout without any
   * acknowledgement (the broker is unreachable or refuses). Records keep waiting in the spool meanwhile.
   */
  public java.util.Optional<String> degraded() {
    long depth = depth();
    if (depth == 0) {
      lastProgressNanos = System.nanoTime();
      return java.util.Optional.empty();
    }
    long stalledMillis = (System.nanoTime() - lastProgressNanos) / 1_000_000;
    if (stalledMillis < config.deliveryTimeout().toMillis()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of("kafka: " + depth + " records spooled and none acknowledged for " + stalledMillis / 1000
        + " s (" + (lastFailure == null ? "no answer from " + config.bootstrapServers() : lastFailure) + ")");
  }

  /** Called on the producer's thread for each acknowledged record (benchmarks time delivery with it). */
  public void onAcknowledged(java.util.function.Consumer<Spool.Entry> listener) {
    this.onAcknowledged = Objects.requireNonNull(listener, "listener");
  }

  /** Records queued or spooled and not yet acknowledged. */
  public long depth() {
    return inboxSize.get() + spool.depth();
  }

  public long spoolBytes() {
    return spool.bytes();
  }

  /** Records dropped because the spool was full. Goal: 0. */
  public long dropped() {
    return spool.dropped();
  }

  public boolean spoolNearlyFull() {
    return spool.nearlyFull();
  }

  public long acknowledged() {
    return acknowledged.get();
  }

  /** Sends that failed and were queued again. */
  public long resent() {
    return resent.get();
  }

  /**
   * Stops sending: waits up to {@code grace} for the records queued and in flight to be acknowledged, then closes the
   * producer. What is still unacknowledged stays in the spool for the next run.
   */
  public void close(Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    while (System.nanoTime() < deadline && depth() > 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    running = false;
    for (Thread thread : new Thread[] {spooler, sender}) {
      if (thread != null) {
        LockSupport.unpark(thread);
        try {
          thread.join(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(2));
    }
    spool.close();
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}
