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
import java.util.Optional;
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
 *
 * <p>Errors are classified: retriable ones (timeouts, leader changes, an absent broker) wait and are sent again; a
 * record the broker refuses for good (too large, not authorized, an invalid topic) goes to a dead-letter file next to
 * the spool, is counted and pages, and never holds back the records after it. A producer that cannot be built yet
 * (a bootstrap name that does not resolve: a headless Service without ready pods) is retried; records wait in the
 * spool and readiness says why. A record the spool cannot write (a full disk) is counted as dropped.
 */
public final class KafkaNotifier implements AutoCloseable {
  /** Told each call's duration (the watcher's latency histograms); set before the first call. */
  private volatile io.chainwatch.model.CallTimer timer = io.chainwatch.model.CallTimer.NONE;

  /** Reports each call's duration to {@code timer} from now on. */
  public void timeCallsWith(io.chainwatch.model.CallTimer timer) {
    this.timer = java.util.Objects.requireNonNull(timer, "timer");
  }

  private static final Logger LOG = LoggerFactory.getLogger(KafkaNotifier.class);
  private static final int MAX_IN_FLIGHT = 20_000;
  /**
   * Audit records wait up to this long to share a request: at a steady trickle (not a flood) each produce request
   * carried one or two records, and the broker's and producer's work per request cost more CPU than the records.
   */
  static final int LINGER_MS = 20;
  /**
   * A batch per partition holds this much: Kafka's default (16 KiB) held one storm digest (up to 50 lines, ~9 KB) and
   * sent it alone, whatever the linger.
   */
  static final int BATCH_BYTES = 512 * 1024;
  /**
   * lz4: records are JSON that repeat their field names and a storm's digest lines; consumers decompress without
   * knowing (the topic's default compression.type=producer keeps batches as written).
   */
  static final String COMPRESSION = "lz4";
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  /** How long the spooler, woken by a record, waits for the ones sent right after it (see {@link #spoolLoop}). */
  static final Duration GATHER = Duration.ofMillis(1);
  /** The spooler does not wait when this many records are queued already, and wakes the sender after each this many. */
  static final int GATHER_RECORDS = 256;

  /**
   * A record as handed to {@link #send}.
   *
   * @param topic the topic
   * @param key the key (the incident id)
   * @param value the CloudEvent JSON
   */
  private record Outgoing(String topic, String key, String value, Map<String, String> headers) {}

  private final NotifiersConfig.Kafka config;
  private final Spool spool;
  private final Map<String, Object> producerOverrides;
  private final ConcurrentLinkedQueue<Outgoing> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inboxSize = new AtomicInteger();
  private final TreeMap<Long, Spool.Entry> unsent = new TreeMap<>();
  private final ConcurrentLinkedQueue<Spool.Entry> failed = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong resent = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile String lastFailure;
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong writeFailures = new AtomicLong();
  private volatile String lastDeadLetter;
  private volatile String producerProblem;
  private final Path deadLetterFile;
  /** The dead-letter file stops growing here; later refusals are still counted and logged. */
  static final long MAX_DEAD_LETTER_BYTES = 64L * 1024 * 1024;
  private volatile long lastProgressNanos = System.nanoTime();
  private volatile java.util.function.Consumer<Spool.Entry> onAcknowledged = entry -> { };
  private volatile boolean running;
  /** The spooler sleeps until a record comes (set just before it looks at the inbox the last time). */
  private volatile boolean spoolerIdle;
  private Producer<String, String> producer;
  private Thread sender;
  private Thread spooler;

  /**
   * @param spoolDir the spool's directory
   * @param producerOverrides extra producer properties (tests shorten timeouts)
   */
  public KafkaNotifier(NotifiersConfig.Kafka config, Path spoolDir, Map<String, Object> producerOverrides) {
    this(config, spoolDir, producerOverrides, Spool.DEFAULT_MEMORY_WINDOW);
  }

  /** @param memoryWindow the bytes of records held in memory at most; the rest waits on disk */
  KafkaNotifier(NotifiersConfig.Kafka config, Path spoolDir, Map<String, Object> producerOverrides,
      long memoryWindow) {
    this.config = Objects.requireNonNull(config, "config");
    this.spool = new Spool(spoolDir, config.spoolMaxBytes(), memoryWindow);
    this.producerOverrides = Map.copyOf(producerOverrides);
    this.deadLetterFile = spoolDir.resolve("dead-letter.jsonl");
  }

  /**
   * Opens the spool and starts sending. A broker that is not reachable yet is no error: records wait in the spool.
   *
   * @throws IOException when the spool cannot be opened (a directory that is not writable)
   * @throws IllegalArgumentException when the producer configuration or a credential file is wrong, naming it
   */
  public void start() throws IOException {
    long left = spool.open();
    if (left > 0) {
      LOG.info("Kafka spool holds {} records from an earlier run; sending them first", left);
    }
    Map<String, Object> properties = producerProperties(config, producerOverrides); // credential errors: at start
    producer = buildProducer(properties);
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

  /** The spool's bound on disk in bytes. */
  public long spoolMaxBytes() {
    return spool.maxBytes();
  }

  /**
   * Builds the producer, or says why not: a bootstrap name that does not resolve yet is no reason to stop detection,
   * remediation and Slack, so it is retried by the sending thread while records wait in the spool.
   */
  private Producer<String, String> buildProducer(Map<String, Object> properties) {
    try {
      Producer<String, String> built = new KafkaProducer<>(properties);
      if (producerProblem != null) {
        LOG.info("Kafka producer built; sending the spooled records");
      }
      producerProblem = null;
      return built;
    } catch (org.apache.kafka.common.KafkaException e) {
      String why = e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")");
      if (!why.equals(producerProblem)) {
        LOG.warn("Kafka producer cannot be built yet, retrying every 10 s; records wait in the spool: {}", why);
      }
      producerProblem = why;
      return null;
    }
  }

  /** Queues a record. Never blocks. */
  public void send(String topic, String key, String value) {
    send(topic, key, value, Map.of());
  }

  /**
   * Queues a record with Kafka headers (the record's fleet facts: routers and Kafka Connect filter on them without
   * parsing the value); they are spooled with it.
   */
  public void send(String topic, String key, String value, Map<String, String> headers) {
    inbox.add(new Outgoing(topic, key, value, headers));
    inboxSize.incrementAndGet();
    if (spoolerIdle) {
      LockSupport.unpark(spooler); // not while it gathers: the records sent meanwhile join its next write
    }
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
    props.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, BATCH_BYTES);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, COMPRESSION);
    // Kafka refuses a delivery timeout below linger + request timeout
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(30_000, delivery - LINGER_MS));
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
      spoolerIdle = true; // set before the inbox is looked at: a send after that look sees it and wakes this thread
      if (inbox.isEmpty()) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
      spoolerIdle = false;
      if (running && !inbox.isEmpty() && inboxSize.get() < GATHER_RECORDS) {
        // woken by a record: the ones sent right after it are spooled with it, so that a steady trickle wakes this
        // thread and the sender about once per GATHER instead of once per record (each wake-up of a sleeping
        // thread cost about as much CPU as spooling a record)
        LockSupport.parkNanos(GATHER.toNanos());
      }
    }
    spoolInbox(); // what was queued before the stop is kept for the next run
  }

  private void sendLoop() {
    long backoffMillis = 1_000;
    long resumeAt = 0;
    long nextCheckpoint = 0;
    long nextBuild = 0;
    while (running) {
      if (producer == null && System.nanoTime() >= nextBuild) {
        producer = buildProducer(producerProperties(config, producerOverrides));
        nextBuild = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      }
      List<Spool.Entry> taken = spool.take();
      for (Spool.Entry ready : taken) {
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
      // (without a producer yet, records only gather here and in the spool)
      if (producer != null && now >= resumeAt && (resumeAt == 0 || inFlight.get() == 0)) {
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
      if (taken.isEmpty()) {
        // nothing new: wait for an append, an acknowledgement freeing the window, or 5 ms (both unpark)
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
    }
  }

  private void spoolInbox() {
    Outgoing polled;
    int appended = 0;
    while ((polled = inbox.poll()) != null) {
      Outgoing next = polled;
      inboxSize.decrementAndGet();
      try {
        Optional<Spool.Entry> entry = spool.append(next.topic(), next.key(), next.value(), next.headers());
        if (entry.isPresent() && ++appended % GATHER_RECORDS == 0) {
          LockSupport.unpark(sender); // a long inbox: the sender starts on what is spooled already
        }
        if (entry.isEmpty()) {
          LOG.error("Kafka spool is full ({} bytes): record for {} dropped", spool.bytes(), next.key());
        }
      } catch (RuntimeException e) {
        // a full or failing disk: counted as dropped (kafka_dropped_total) so that it pages, never silent
        writeFailures.incrementAndGet();
        LOG.error("Kafka spool write failed; record for {} dropped: {}", next.key(), e.getMessage());
      }
    }
    if (appended % GATHER_RECORDS != 0) {
      LockSupport.unpark(sender); // once for what this pass spooled, not once per record
    }
  }

  private void drainUnsent() {
    while (!unsent.isEmpty() && inFlight.get() < MAX_IN_FLIGHT && failed.isEmpty()) {
      Spool.Entry entry = unsent.pollFirstEntry().getValue();
      ProducerRecord<String, String> record = new ProducerRecord<>(entry.topic(), entry.key(), entry.value());
      record.headers().add("content-type", CloudEventMapper.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
      entry.headers().forEach((name, value) -> record.headers().add(name, value.getBytes(StandardCharsets.UTF_8)));
      inFlight.incrementAndGet();
      long started = System.nanoTime();
      try {
        producer.send(record, (metadata, failure) -> {
          inFlight.decrementAndGet();
          timer.record("kafka", "send", failure == null ? "ok" : "error", System.nanoTime() - started);
          if (failure == null) {
            spool.ack(entry.seq());
            acknowledged.incrementAndGet();
            lastProgressNanos = System.nanoTime();
            onAcknowledged.accept(entry);
            if (spool.windowFull()) {
              LockSupport.unpark(sender); // records wait on disk for this room
            }
          } else if (refusedForGood(failure)) {
            deadLetter(entry, failure);
          } else {
            failures.incrementAndGet();
            resent.incrementAndGet();
            lastFailure = failure.getClass().getSimpleName() + ": " + failure.getMessage();
            failed.add(entry);
          }
        });
      } catch (RuntimeException e) {
        if (refusedForGood(e)) {
          inFlight.decrementAndGet();
          deadLetter(entry, e);
          continue;
        }
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
   * Whether the broker will never take this record, whatever the wait: too large, not authorized, an invalid topic or
   * record. Everything else (timeouts, leader changes, an absent broker) is retried.
   */
  static boolean refusedForGood(Throwable failure) {
    return failure instanceof org.apache.kafka.common.errors.RecordTooLargeException
        || failure instanceof org.apache.kafka.common.errors.RecordBatchTooLargeException
        || failure instanceof org.apache.kafka.common.errors.AuthorizationException
        || failure instanceof org.apache.kafka.common.errors.InvalidTopicException
        || failure instanceof org.apache.kafka.common.InvalidRecordException
        || failure instanceof org.apache.kafka.common.errors.SerializationException
        || (failure instanceof org.apache.kafka.common.errors.ApiException
            && !(failure instanceof org.apache.kafka.common.errors.RetriableException)
            && !(failure instanceof org.apache.kafka.common.errors.TimeoutException)
            && !(failure instanceof org.apache.kafka.common.errors.OutOfOrderSequenceException)
            && !(failure instanceof org.apache.kafka.common.errors.ProducerFencedException)
            && !(failure instanceof org.apache.kafka.common.errors.InvalidPidMappingException));
  }

  /** Moves a record the broker refused for good out of the way: to the dead-letter file, counted, never resent. */
  private void deadLetter(Spool.Entry entry, Throwable failure) {
    String why = failure.getClass().getSimpleName() + ": " + failure.getMessage();
    deadLettered.incrementAndGet();
    lastDeadLetter = why;
    LOG.error("Kafka refused a record for {} for good ({}); moved to {} and not resent", entry.key(), why,
        deadLetterFile);
    try {
      synchronized (deadLetterFile) {
        if (!java.nio.file.Files.exists(deadLetterFile)
            || java.nio.file.Files.size(deadLetterFile) < MAX_DEAD_LETTER_BYTES) {
          String line = new io.vertx.core.json.JsonObject().put("topic", entry.topic()).put("key", entry.key())
              .put("refused", why).put("value", entry.value()).encode() + "\n";
          java.nio.file.Files.writeString(deadLetterFile, line, StandardCharsets.UTF_8,
              java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
      }
    } catch (IOException e) {
      LOG.error("Dead-letter file {} cannot be written: {}", deadLetterFile, e.getMessage());
    }
    spool.ack(entry.seq());
  }

  /** Records Kafka refused for good (moved to the dead-letter file). Goal: 0. */
  public long deadLettered() {
    return deadLettered.get();
  }

  /** Why the last record was refused for good, {@code null} before any. */
  public String lastDeadLetter() {
    return lastDeadLetter;
  }

  /**
   * Why Kafka delivery is degraded, or empty: the producer cannot be built yet, or records have waited longer than the
   * delivery timeout without any acknowledgement (the broker is unreachable or refuses). Records keep waiting in the
   * spool meanwhile.
   */
  public java.util.Optional<String> degraded() {
    String problem = producerProblem;
    if (problem != null) {
      return java.util.Optional.of("kafka: the producer cannot be built (" + problem + "); " + depth()
          + " records wait in the spool");
    }
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

  /** Records dropped because the spool was full or could not be written (a full disk). Goal: 0. */
  public long dropped() {
    return spool.dropped() + writeFailures.get();
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
