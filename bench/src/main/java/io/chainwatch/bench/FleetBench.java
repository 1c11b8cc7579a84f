package io.chainwatch.bench;

import io.chainwatch.fleet.FleetConfig;
import io.chainwatch.fleet.FleetTopology;
import io.chainwatch.model.DetectorText;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingCleared;
import io.chainwatch.model.FleetDimension;
import io.chainwatch.model.NodeFacts;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.notifier.incident.DetectorTexts;
import io.chainwatch.notifier.kafka.CloudEventMapper;
import io.chainwatch.testkit.EmbeddedKafka;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The fleet correlator (Kafka Streams, exactly-once v2, RocksDB) against a real KRaft broker in this JVM, with one or
 * two instances of one application. The input is the audit records of {@value #CLUSTERS} clusters as chainwatch's
 * CloudEvent mapper writes them (findings and cleared findings of three detectors over 500 nodes per cluster, eight
 * OS images and twelve pools), produced to one topic per cluster before the instances start. Throughput is input
 * records per second from the first record processed to the last (the instances' {@code process-total}, which counts
 * both sub-topologies: audit → by-dimension and by-dimension → correlator). Latency is from the send of the record
 * that makes a cause span two clusters to the fleet incident read back with {@code read_committed}, while background
 * records flow.
 */
final class FleetBench implements AutoCloseable {
  static final int CLUSTERS = 10;
  private static final int NODES = 500;
  private static final List<String> OS_IMAGES = List.of("Ubuntu 22.04.4 LTS", "Ubuntu 24.04.1 LTS",
      "Flatcar Container Linux 3975.2.0", "Bottlerocket OS 1.26.2", "Amazon Linux 2023.6", "Container-Optimized OS 117",
      "Talos (v1.8.3)", "Red Hat Enterprise Linux CoreOS 417");
  private static final DetectorTexts TEXTS = DetectorTexts.of(Map.of(
      "rp-filter-reset", new DetectorText("rp_filter", "", FleetDimension.OS_IMAGE),
      "missed-cilium-chain", new DetectorText("missed chain", "", FleetDimension.NODE_POOL),
      "cilium-health-local-endpoint", new DetectorText("health", "", FleetDimension.CILIUM_VERSION)));
  private static final List<String[]> DETECTORS = List.of(
      new String[] {"rp-filter-reset", "cilium-interfaces-filtered"},
      new String[] {"missed-cilium-chain", "no-endpoint"},
      new String[] {"cilium-health-local-endpoint", "endpoint-unreachable"});

  record Throughput(int instances, int records, double perSecond, long averageBytes) {}

  record Latency(int instances, int samples, double p50Millis, double p99Millis, double maxMillis) {}

  private final ScratchDirectory dir;
  private final EmbeddedKafka kafka;
  private final KafkaProducer<String, String> producer;
  private final List<CloudEventMapper> mappers = new ArrayList<>();
  private final Random random = new Random(42);
  private final Set<String> open = new HashSet<>();
  private int applications;

  FleetBench() throws Exception {
    dir = ScratchDirectory.create("chainwatch-fleet-bench");
    kafka = EmbeddedKafka.start(dir.resolve("kafka"));
    String[] topics = new String[CLUSTERS + 1];
    for (int c = 0; c < CLUSTERS; c++) {
      topics[c] = "chainwatch.audit.c" + c;
      int cluster = c;
      mappers.add(new CloudEventMapper("c" + c, TEXTS, node -> new NodeFacts(node,
          "pool-" + (Math.abs(node.hashCode() + cluster) % 12), OS_IMAGES.get(Math.abs(node.hashCode()) % 8),
          "6.8.0", "v1.30.2", "1.16." + (cluster % 3))));
    }
    topics[CLUSTERS] = "chainwatch.fleet";
    kafka.createTopics(topics);
    Properties properties = new Properties();
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    properties.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    properties.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
    producer = new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
  }

  /** A random finding, or the clearing of one that is open: the state stays bounded, as in a fleet. */
  private ProducerRecord<String, String> background() {
    int cluster = random.nextInt(CLUSTERS);
    String node = "node-" + random.nextInt(NODES);
    String[] detector = DETECTORS.get(random.nextInt(DETECTORS.size()));
    String key = cluster + "/" + node + "/" + detector[0];
    Finding finding = finding(detector, node);
    JsonObject event = open.remove(key)
        ? mappers.get(cluster).audit(new FindingCleared(finding, Instant.now()), key).orElseThrow()
        : mappers.get(cluster).audit(finding, key).orElseThrow();
    if (event.getString("type").equals("io.chainwatch.finding.v1")) {
      open.add(key);
    }
    return new ProducerRecord<>("chainwatch.audit.c" + cluster, key, event.encode());
  }

  private static Finding finding(String[] detector, String node) {
    return new Finding(detector[0], ResourceRef.node(node), node, Severity.CRITICAL, PlannedAction.PAGE, detector[1],
        detector[0] + " on " + node, Instant.now(), Map.of("node", node));
  }

  private KafkaStreams[] start(int instances, FleetConfig config, boolean fromLatest) {
    String application = "fleet-bench-" + (applications++);
    KafkaStreams[] streams = new KafkaStreams[instances];
    for (int i = 0; i < instances; i++) {
      Properties properties = new Properties();
      properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      properties.put(StreamsConfig.APPLICATION_ID_CONFIG, application);
      properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
      properties.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve(application + "-" + i).toString());
      if (fromLatest) {
        properties.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "latest");
      }
      streams[i] = new KafkaStreams(FleetTopology.build(config), properties);
      streams[i].start();
    }
    return streams;
  }

  private static boolean running(KafkaStreams[] streams) {
    for (KafkaStreams instance : streams) {
      if (instance.state() != KafkaStreams.State.RUNNING) {
        return false;
      }
    }
    return true;
  }

  private static double processed(KafkaStreams[] streams) {
    double total = 0;
    for (KafkaStreams instance : streams) {
      for (var metric : instance.metrics().entrySet()) {
        if (metric.getKey().name().equals("process-total")
            && metric.getKey().group().equals("stream-thread-metrics")) {
          total += ((Number) metric.getValue().metricValue()).doubleValue();
        }
      }
    }
    return total;
  }

  /**
   * {@code records} background records produced first, then consumed by {@code instances} new instances (a new
   * application id, so they start from the beginning).
   */
  Throughput throughput(int instances, int records) throws Exception {
    long bytes = 0;
    for (int i = 0; i < records; i++) {
      ProducerRecord<String, String> record = background();
      bytes += record.value().length();
      producer.send(record);
    }
    producer.flush();
    // every application reads every record produced so far: the earlier runs' records count too
    long total = endOffsets();
    KafkaStreams[] streams = start(instances, FleetConfig.defaults(), false);
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      long first = 0;
      double target = 2.0 * total; // each record is processed by the source sub-topology and by the correlator
      while (processed(streams) < target) {
        if (first == 0 && processed(streams) > 0) {
          first = System.nanoTime();
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("fleet processed " + processed(streams) + " of " + target + " in 10 min");
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
      double seconds = (System.nanoTime() - first) / 1e9;
      return new Throughput(instances, (int) total, total / seconds, bytes / Math.max(1, records));
    } finally {
      for (KafkaStreams instance : streams) {
        instance.close(Duration.ofSeconds(30));
      }
    }
  }

  private long endOffsets() throws Exception {
    try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers",
        (Object) kafka.bootstrapServers()))) {
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> request = new HashMap<>();
      for (int c = 0; c < CLUSTERS; c++) {
        for (var partition : admin.describeTopics(List.of("chainwatch.audit.c" + c)).allTopicNames().get()
            .get("chainwatch.audit.c" + c).partitions()) {
          request.put(new org.apache.kafka.common.TopicPartition("chainwatch.audit.c" + c, partition.partition()),
              org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
      }
      long sum = 0;
      for (var offset : admin.listOffsets(request).all().get().values()) {
        sum += offset.offset();
      }
      return sum;
    }
  }

  /**
   * With {@code instances} running and caught up and background records at {@code backgroundPerSecond}, {@code
   * samples} times: one cluster reports a new cause, then a second cluster does; the time from that second send to
   * the fleet incident read back.
   */
  Latency latency(int instances, double backgroundPerSecond, int samples) throws Exception {
    // from the latest offsets: the history is not what is measured; the first sample (discarded) proves the
    // instances are assigned and live end to end
    KafkaStreams[] streams = start(instances, FleetConfig.defaults(), true);
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    List<Double> latencies = new ArrayList<>();
    Properties consumer = new Properties();
    consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    consumer.put(ConsumerConfig.GROUP_ID_CONFIG, "fleet-bench-reader-" + applications);
    consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, String> reader = new KafkaConsumer<>(consumer, new StringDeserializer(),
        new StringDeserializer())) {
      reader.subscribe(List.of("chainwatch.fleet"));
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (reader.assignment().isEmpty() || !running(streams)) {
        reader.poll(Duration.ofMillis(50));
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("fleet instances not running after 2 min");
        }
      }
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
      long interval = (long) (1e9 / backgroundPerSecond);
      for (int sample = -1; sample < samples; sample++) {
        String cause = "os-image=Bench image " + applications + "-" + sample;
        String[] detector = {"rp-filter-reset", "cilium-interfaces-filtered"};
        // a cause no background record has: the first cluster alone is not a fleet incident, the second makes it
        send(0, detector, "bench-node-a", cause);
        long pace = System.nanoTime();
        for (int i = 0; i < backgroundPerSecond / 5; i++) {
          producer.send(background());
          pace += interval;
          LockSupport.parkNanos(pace - System.nanoTime());
          reader.poll(Duration.ZERO);
        }
        sentAt.put("rp-filter-reset/cilium-interfaces-filtered/" + cause, System.nanoTime());
        send(1, detector, "bench-node-b", cause);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        boolean seen = false;
        while (!seen && System.nanoTime() < until) {
          for (var record : reader.poll(Duration.ofMillis(5))) {
            Long sent = sentAt.remove(record.key());
            if (sent != null) {
              if (sample >= 0) {
                latencies.add((System.nanoTime() - sent) / 1e6);
              }
              seen = true;
            }
          }
        }
        if (!seen) {
          throw new IllegalStateException("no fleet incident for " + cause + " within 30 s");
        }
      }
    } finally {
      for (KafkaStreams instance : streams) {
        instance.close(Duration.ofSeconds(30));
      }
    }
    return new Latency(instances, latencies.size(), Stats.percentile(latencies, 50), Stats.percentile(latencies, 99),
        Stats.percentile(latencies, 100));
  }

  private void send(int cluster, String[] detector, String node, String osImageCause) {
    JsonObject event = mappers.get(cluster).audit(finding(detector, node), "bench-" + node).orElseThrow();
    String cause = detector[0] + "/" + detector[1] + "/" + osImageCause;
    event.put("chainwatchcause", cause).put("chainwatchosimage", osImageCause.substring("os-image=".length()));
    producer.send(new ProducerRecord<>("chainwatch.audit.c" + cluster, node, event.encode()));
    producer.flush();
  }

  @Override
  public void close() throws Exception {
    producer.close(Duration.ofSeconds(5));
    kafka.close();
    dir.close();
  }
}
