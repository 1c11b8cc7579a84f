package io.chainwatch.fleet;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The fleet correlator as a Kafka Streams topology.
 *
 * <pre>
 * audit topics (pattern) ── findings, cleared findings ──────────────┐
 *                                                                    ├─ by-dimension ─► {@link FleetCorrelator}
 * inventory topics (pattern) ─► node facts (store fleet-inventory) ──┘   (stores fleet-causes, fleet-dimension-nodes)
 *                               ± one node per dimension value                 │
 *                                                                     fleet topic ◄─┘ io.chainwatch.fleet.incident.v1
 * </pre>
 *
 * Both inputs are keyed by the dimension value that explains a cause ({@code os-image=Ubuntu 22.04.4 LTS}), so the
 * causes of one value and the count of nodes with it are in one partition: the share of that image's nodes that show
 * a cause is computed where the findings are, with no join and no global table. Every store is a persistent
 * (RocksDB) store with a changelog topic; with {@code exactly_once_v2} an instance that takes over a partition
 * resumes from exactly the state the failed one committed.
 */
public final class FleetTopology {
  static final String FINDING = "io.chainwatch.finding.v1";
  static final String CLEARED = "io.chainwatch.finding.cleared.v1";
  public static final String FLEET_INCIDENT = "io.chainwatch.fleet.incident.v1";
  static final String STORE = "fleet-causes";
  static final String TOTALS = "fleet-dimension-nodes";
  static final String INVENTORY = "fleet-inventory";
  /** The inventory facts that are dimensions, with the fingerprint's name for each. */
  static final List<String[]> DIMENSIONS = List.of(new String[] {"os-image", "osImage"},
      new String[] {"node-pool", "nodePool"}, new String[] {"kernel", "kernel"}, new String[] {"kubelet", "kubelet"},
      new String[] {"cilium-version", "ciliumVersion"});

  private FleetTopology() {}

  /** What the topology tells the instance's metrics; called from stream threads. */
  public interface Events {
    Events NONE = new Events() {};

    /** An audit record was read (of any type). */
    default void read() {}

    /**
     * A fleet incident change was emitted (opened, updated, resolved). One emitted in a transaction that is then
     * aborted (a crash mid-commit) is counted again when it is emitted again: the count is not exactly-once.
     */
    default void incident(String change) {}
  }

  public static Topology build(FleetConfig config) {
    return build(config, Events.NONE);
  }

  public static Topology build(FleetConfig config, Events events) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
        Serdes.String()));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TOTALS), Serdes.String(),
        Serdes.Long()));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(INVENTORY), Serdes.String(),
        Serdes.String()));

    KStream<String, String> findings = builder.stream(config.auditTopics(),
            Consumed.with(Serdes.String(), Serdes.String()).withName("audit"))
        .flatMap((key, value) -> {
          events.read();
          JsonObject finding = finding(value);
          return finding == null ? List.of() : List.of(KeyValue.pair(dimension(finding.getString("cause")),
              finding.encode()));
        });
    KStream<String, String> nodeCounts = builder.stream(config.inventoryTopics(),
            Consumed.with(Serdes.String(), Serdes.String()).withName("inventory"))
        .process(InventoryDeltas::new, INVENTORY);
    findings.merge(nodeCounts)
        .repartition(Repartitioned.<String, String>as("by-dimension").withKeySerde(Serdes.String())
            .withValueSerde(Serdes.String()))
        .process(() -> new FleetCorrelator(config, events), STORE, TOTALS)
        .to(config.fleetTopic(), Produced.with(Serdes.String(), Serdes.String()));
    return builder.build();
  }

  /**
   * What the correlator needs of an audit record that is a finding or a cleared finding with a cause fingerprint:
   * {@code kind}, {@code cause}, {@code cluster}, {@code node}, {@code incident}, {@code id} (cluster and dedup key),
   * {@code severity} and {@code at}; {@code null} for anything else, which is ignored (a fleet reads topics other
   * tools may write to).
   */
  static JsonObject finding(String value) {
    if (value == null || value.length() > 1_048_576) {
      return null;
    }
    try {
      JsonObject record = new JsonObject(value);
      String type = record.getString("type");
      JsonObject data = record.getJsonObject("data");
      String cause = record.getString("chainwatchcause");
      String cluster = record.getString("chainwatchcluster");
      if ((!FINDING.equals(type) && !CLEARED.equals(type)) || cause == null || cause.split("/", 3).length < 3
          || !cause.split("/", 3)[2].contains("=") || cluster == null || data == null
          || data.getString("dedupKey") == null || record.getString("time") == null) {
        return null;
      }
      return new JsonObject()
          .put("kind", FINDING.equals(type) ? "finding" : "cleared")
          .put("cause", cause)
          .put("cluster", cluster)
          .put("node", record.getString("chainwatchnode"))
          .put("incident", record.getString("chainwatchincident"))
          .put("id", cluster + "|" + data.getString("dedupKey"))
          .put("severity", "warning".equals(data.getString("severity")) || "info".equals(data.getString("severity"))
              ? "warning" : "critical")
          .put("at", Instant.parse(record.getString("time")).toEpochMilli());
    } catch (DecodeException | ClassCastException | java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  /** {@code os-image=Ubuntu 22.04.4 LTS} of {@code rp-filter-reset/cilium-interfaces-filtered/os-image=Ubuntu ...}. */
  static String dimension(String cause) {
    return cause.split("/", 3)[2];
  }

  /**
   * Turns the inventory (key {@code cluster/node}, the node's facts, a tombstone when it goes) into counts per
   * dimension value: {@code -1} for the value a node had and {@code +1} for the one it has now, keyed by that value.
   * The last facts of every node are in a store, so a node that changes its OS image moves from one count to the
   * other, and a replayed record changes nothing.
   */
  static final class InventoryDeltas implements Processor<String, String, String, String> {
    private ProcessorContext<String, String> context;
    private KeyValueStore<String, String> nodes;

    @Override
    public void init(ProcessorContext<String, String> context) {
      this.context = context;
      this.nodes = context.getStateStore(INVENTORY);
    }

    @Override
    public void process(Record<String, String> record) {
      if (record.key() == null || record.key().length() > 1024) {
        return;
      }
      JsonObject now = facts(record.value());
      if (now == null && record.value() != null) {
        return; // not an inventory record: ignored, not read as the node going away
      }
      String before = nodes.get(record.key());
      JsonObject was = before == null ? null : new JsonObject(before);
      for (String[] dimension : DIMENSIONS) {
        String old = was == null ? null : value(dimension, was);
        String next = now == null ? null : value(dimension, now);
        if (java.util.Objects.equals(old, next)) {
          continue;
        }
        if (old != null) {
          context.forward(record.withKey(old).withValue(new JsonObject().put("kind", "nodes").put("delta", -1)
              .encode()));
        }
        if (next != null) {
          context.forward(record.withKey(next).withValue(new JsonObject().put("kind", "nodes").put("delta", 1)
              .encode()));
        }
      }
      if (now == null) {
        nodes.delete(record.key());
      } else {
        nodes.put(record.key(), now.encode());
      }
    }

    /** {@code os-image=...}, with {@code unknown} as the fingerprint writes a fact that is not known. */
    private static String value(String[] dimension, JsonObject facts) {
      String value = facts.getString(dimension[1]);
      return dimension[0] + "=" + (value == null || value.isEmpty() ? "unknown" : value);
    }

    private static JsonObject facts(String value) {
      if (value == null || value.length() > 65_536) {
        return null;
      }
      try {
        JsonObject facts = new JsonObject(value);
        return facts.getString("node") == null ? null : facts;
      } catch (DecodeException | ClassCastException e) {
        return null;
      }
    }
  }
}
