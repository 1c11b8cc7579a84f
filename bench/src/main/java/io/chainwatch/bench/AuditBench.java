package io.chainwatch.bench;

import io.chainwatch.config.NotifiersConfig;
import io.chainwatch.model.Finding;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.notifier.kafka.CloudEventMapper;
import io.chainwatch.notifier.kafka.KafkaNotifier;
import io.chainwatch.testkit.EmbeddedKafka;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Audit records to a real KRaft broker in this JVM, through chainwatch's Kafka path as it runs in production: the
 * CloudEvent mapping, the on-disk spool, the idempotent producer with {@code acks=all}. Throughput is records
 * acknowledged per second when records are offered as fast as possible; latency is from {@code send} (the moment the
 * notifier has the record) to the broker's acknowledgement, at a fixed rate.
 */
final class AuditBench implements AutoCloseable {
  record Throughput(int records, double perSecond, long dropped) {}

  record Latency(double rate, int samples, double p50Millis, double p99Millis, double maxMillis) {}

  private final ScratchDirectory dir;
  private final EmbeddedKafka kafka;
  private final KafkaNotifier notifier;
  private final CloudEventMapper mapper = new CloudEventMapper("bench");
  private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
  /**
   * One per sample. A CopyOnWriteArrayList here copied every earlier sample on each add: quadratic, and
   * on the Kafka producer's network thread, chainwatch's.
   */
  private final java.util.Queue<Double> latencies = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final AtomicLong nextPod = new AtomicLong();

  AuditBench() throws Exception {
    dir = ScratchDirectory.create("chainwatch-audit-bench");
    kafka = EmbeddedKafka.start(dir.resolve("kafka"));
    // created first, as a deployment does: a topic auto-created by the first send left the idempotent producer
    // sending one partition's first batch with sequence 0 again and again (OutOfOrderSequenceException for the
    // whole delivery timeout) in some runs, with this code and with the code before it
    kafka.createTopics("bench.audit", "bench.pages");
    notifier = new KafkaNotifier(new NotifiersConfig.Kafka(kafka.bootstrapServers(), "bench.audit", "bench.pages",
        1024L * 1024 * 1024, Duration.ofMinutes(2), "PLAINTEXT", "PLAIN", "", "", "", ""), dir.resolve("spool"),
        producerOverrides());
    notifier.onAcknowledged(entry -> {
      Long sent = sentAt.remove(entry.key());
      if (sent != null) {
        latencies.add((System.nanoTime() - sent) / 1e6);
      }
    });
    notifier.start();
  }

  /**
   * With {@code -Dbench.kafkaProducer=linger.ms=5,batch.size=16384,...}: producer settings over chainwatch's own, to
   * compare them on this harness.
   */
  private static Map<String, Object> producerOverrides() {
    Map<String, Object> overrides = new LinkedHashMap<>();
    String given = System.getProperty("bench.kafkaProducer", "");
    for (String pair : given.split(",")) {
      if (!pair.isBlank()) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("bench.kafkaProducer: expected name=value, got \"" + pair + "\"");
        }
        overrides.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
    }
    return overrides;
  }

  /** One finding's audit record, about 1.3 KB, with a key of its own so latency can be matched. */
  private String[] record() {
    long i = nextPod.incrementAndGet();
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("podUid", "00000000-0000-4000-8000-" + String.format("%012d", i));
    evidence.put("podStartedAt", "2026-11-23T04:00:00Z");
    evidence.put("owner", "ReplicaSet/web-7d9c6b5f4");
    evidence.put("ciliumAgent", "kube-system/cilium-x7k2p");
    evidence.put("agentReadySince", "2026-11-23T04:00:03Z");
    evidence.put("chainRace", true);
    evidence.put("secondsBeforeAgentReady", 3);
    evidence.put("ciliumEndpoint", "missing");
    evidence.put("actionReason", "its ReplicaSet web-7d9c6b5f4 recreates it through the full CNI chain");
    Finding finding = new Finding("missed-cilium-chain", ResourceRef.pod("shop", "web-7d9c6b5f4-" + i), "10.0.0.11",
        Severity.CRITICAL, PlannedAction.RESTART, "no-endpoint", "Pod shop/web-7d9c6b5f4-" + i + " started 3 s "
            + "before cilium-agent was Ready on node 10.0.0.11: the CNI-chain race; it has no CiliumEndpoint, so it "
            + "runs without Cilium policy and masquerade.", Instant.now(), evidence);
    String key = "bench-" + i;
    JsonObject event = mapper.audit(finding, key).orElseThrow();
    return new String[] {key, event.encode()};
  }

  Throughput throughput(int records) {
    List<String[]> prepared = new ArrayList<>(records);
    for (int i = 0; i < records; i++) {
      prepared.add(record());
    }
    long ackedBefore = notifier.acknowledged();
    long start = System.nanoTime();
    for (String[] record : prepared) {
      notifier.send("bench.audit", record[0], record[1]);
    }
    awaitAcknowledged(ackedBefore + records);
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Throughput(records, records / seconds, notifier.dropped());
  }

  Latency latency(double perSecond, double seconds) {
    latencies.clear();
    long ackedBefore = notifier.acknowledged();
    int total = (int) (perSecond * seconds);
    long intervalNanos = (long) (1e9 / perSecond);
    // built before, as the flood's are: building and encoding one inline took the driver 20-30 us, so at the rates a
    // batching producer reaches (30,000/s) the driver took most of a core from the pipeline it measured
    List<String[]> prepared = new ArrayList<>(total);
    for (int i = 0; i < total; i++) {
      prepared.add(record());
    }
    long next = System.nanoTime();
    for (String[] record : prepared) {
      LockSupport.parkNanos(next - System.nanoTime());
      sentAt.put(record[0], System.nanoTime());
      notifier.send("bench.audit", record[0], record[1]);
      next += intervalNanos;
    }
    awaitAcknowledged(ackedBefore + total);
    List<Double> samples = List.copyOf(latencies);
    return new Latency(perSecond, samples.size(), Stats.percentile(samples, 50), Stats.percentile(samples, 99),
        Stats.percentile(samples, 100));
  }

  private void awaitAcknowledged(long count) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (notifier.acknowledged() < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + notifier.acknowledged() + " of " + count + " records acknowledged");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
  }

  @Override
  public void close() throws Exception {
    notifier.close(Duration.ofSeconds(5));
    kafka.close();
    dir.close();
  }
}
