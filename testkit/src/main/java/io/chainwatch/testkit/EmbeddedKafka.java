package io.chainwatch.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node KRaft Kafka broker (broker and controller in one process), started in this JVM from the Maven
 * artifacts. It can be stopped and started again on the same ports and data, to play a broker outage.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final Path dir;
  private final int brokerPort;
  private final int controllerPort;
  private KafkaRaftServer server;

  private EmbeddedKafka(Path dir, int brokerPort, int controllerPort) {
    this.dir = dir;
    this.brokerPort = brokerPort;
    this.controllerPort = controllerPort;
  }

  /** Formats a fresh log directory under {@code dir} and starts the broker on free loopback ports. */
  public static EmbeddedKafka start(Path dir) {
    EmbeddedKafka kafka = prepare(dir);
    kafka.startBroker();
    return kafka;
  }

  /** Formats the log directory and picks the ports, but does not start: a broker that is not there yet. */
  public static EmbeddedKafka prepare(Path dir) {
    EmbeddedKafka kafka = new EmbeddedKafka(dir, freePort(), freePort());
    kafka.format();
    return kafka;
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  /**
   * Creates topics (3 partitions, as auto-creation would) and waits until each partition has a leader, as a real
   * deployment's topics exist before chainwatch writes. Auto-creation on the first write races the partitions'
   * leader election; on a loaded machine the idempotent producer then retried one batch for longer than a test waits.
   */
  public void createTopics(String... names) {
    java.util.Properties props = new java.util.Properties();
    props.put("bootstrap.servers", bootstrapServers());
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(props)) {
      java.util.List<org.apache.kafka.clients.admin.NewTopic> topics = new java.util.ArrayList<>();
      for (String name : names) {
        topics.add(new org.apache.kafka.clients.admin.NewTopic(name, 3, (short) 1));
      }
      for (var created : admin.createTopics(topics).values().values()) {
        try {
          created.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
            throw e; // one that exists already (a consumer created it) only needs its leaders
          }
        }
      }
      long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
      while (true) {
        boolean led;
        try {
          var described = admin.describeTopics(java.util.List.of(names)).allTopicNames()
              .get(30, java.util.concurrent.TimeUnit.SECONDS);
          led = described.values().stream().allMatch(topic -> topic.partitions().stream()
              .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty()));
        } catch (java.util.concurrent.ExecutionException e) {
          if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
            throw e;
          }
          led = false; // created, not yet known to the broker's metadata
        }
        if (led) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("topics " + java.util.List.of(names) + " have no leaders after 30 s");
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("creating topics " + java.util.List.of(names) + ": " + e, e);
    }
  }

  /** Stops the broker; its data stays, {@link #startBroker()} brings it back on the same port. */
  public synchronized void stopBroker() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  public synchronized void startBroker() {
    if (server == null) {
      server = new KafkaRaftServer(new KafkaConfig(properties()), Time.SYSTEM);
      server.startup();
    }
  }

  private void format() {
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve("server.properties");
      try (OutputStream out = Files.newOutputStream(file)) {
        properties().store(out, "chainwatch embedded KRaft broker");
      }
      int status = kafka.tools.StorageTool.execute(new String[] {"format", "--standalone", "-t",
          Uuid.randomUuid().toString(), "-c", file.toString()}, new PrintStream(OutputStream.nullOutputStream()));
      if (status != 0) {
        throw new IllegalStateException("formatting the Kafka log directory failed with status " + status);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Properties properties() {
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
    props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("log.dirs", dir.resolve("logs").toString());
    props.put("offsets.topic.replication.factor", "1");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    // 50 partitions each by default: creating them is most of a transactional client's first second here
    props.put("offsets.topic.num.partitions", "5");
    props.put("transaction.state.log.num.partitions", "5");
    props.put("num.partitions", "3");
    // the default is 128 MiB, allocated on the heap
    props.put("log.cleaner.dedupe.buffer.size", "2097152");
    return props;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    stopBroker();
  }
}
