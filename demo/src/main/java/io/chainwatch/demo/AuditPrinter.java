package io.chainwatch.demo;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads the audit topic as an audit consumer would, and prints each record's type and subject on the timeline. */
final class AuditPrinter implements AutoCloseable {
  private final KafkaConsumer<String, String> consumer;
  private final Thread thread;
  private final Timeline timeline;
  private final Map<String, Integer> byType = new TreeMap<>();
  private final AtomicLong lastRecordNanos = new AtomicLong(System.nanoTime());
  private volatile boolean running = true;

  AuditPrinter(String bootstrapServers, Timeline timeline) {
    this.timeline = timeline;
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "chainwatch-demo-audit");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 1000);
    consumer = new KafkaConsumer<>(props);
    thread = new Thread(this::consume, "demo-audit-consumer");
    thread.setDaemon(true);
    thread.start();
  }

  private void consume() {
    try {
      consumer.subscribe(List.of("chainwatch.audit"));
      while (running) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          JsonObject event = new JsonObject(record.value());
          String type = event.getString("type");
          synchronized (byType) {
            byType.merge(type, 1, Integer::sum);
          }
          lastRecordNanos.set(System.nanoTime());
          if (!type.equals("io.chainwatch.incident.v1")) { // incident changes show as Slack messages
            timeline.say("KAFKA", type + "  " + event.getString("subject") + "  key " + record.key());
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close(Duration.ofSeconds(1));
    }
  }

  /** Waits until no record arrived for two seconds (at most twenty). */
  void awaitQuiet() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline
        && System.nanoTime() - lastRecordNanos.get() < Duration.ofSeconds(2).toNanos()) {
      Thread.sleep(100);
    }
  }

  String summary() {
    synchronized (byType) {
      int total = byType.values().stream().mapToInt(Integer::intValue).sum();
      return total + " records " + byType;
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(3000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
