package io.chainwatch.fleet;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The fleet correlator: the clusters' audit records (findings and cleared findings, with their cause fingerprint as
 * {@code chainwatchcause}) grouped by cause; a fleet incident ({@code io.chainwatch.fleet.incident.v1}) opens when
 * findings of that cause are open in at least {@code minClusters} clusters within {@code window}, updates as clusters
 * join or leave, and resolves when fewer remain. Its state (per cause: the open findings with their cluster, node,
 * incident id and time) lives in a RocksDB store with a changelog topic, so instances share the partitions and a
 * replacement takes over the state.
 */
public final class FleetTopology {
  static final String FINDING = "io.chainwatch.finding.v1";
  static final String CLEARED = "io.chainwatch.finding.cleared.v1";
  public static final String FLEET_INCIDENT = "io.chainwatch.fleet.incident.v1";
  static final String STORE = "fleet-causes";

  private FleetTopology() {}

  public static Topology build(FleetConfig config) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(config.auditTopics(), Consumed.with(Serdes.String(), Serdes.String()))
        .flatMap((key, value) -> {
          JsonObject record = parse(value);
          return record == null ? java.util.List.of() : java.util.List.of(KeyValue.pair(
              record.getString("chainwatchcause"), record.encode()));
        })
        .groupByKey(Grouped.with("by-cause", Serdes.String(), Serdes.String()))
        .aggregate(() -> new JsonObject().put("findings", new JsonObject()).put("open", false).encode(),
            (cause, record, state) -> fold(config, new JsonObject(record), new JsonObject(state)).encode(),
            Materialized.<String, String, org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes,
                byte[]>>as(STORE).withKeySerde(Serdes.String()).withValueSerde(Serdes.String()))
        .toStream()
        .filter((cause, state) -> new JsonObject(state).getString("change") != null)
        .mapValues((cause, state) -> incident(cause, new JsonObject(state)).encode())
        .to(config.fleetTopic(), Produced.with(Serdes.String(), Serdes.String()));
    return builder.build();
  }

  /** A finding or a cleared finding with a cause fingerprint; {@code null} for anything else (ignored). */
  static JsonObject parse(String value) {
    if (value == null) {
      return null;
    }
    try {
      JsonObject record = new JsonObject(value);
      String type = record.getString("type");
      JsonObject data = record.getJsonObject("data");
      if ((!FINDING.equals(type) && !CLEARED.equals(type)) || record.getString("chainwatchcause") == null
          || record.getString("chainwatchcluster") == null || data == null || data.getString("dedupKey") == null
          || record.getString("time") == null) {
        return null;
      }
      Instant.parse(record.getString("time"));
      return record;
    } catch (DecodeException | ClassCastException | java.time.format.DateTimeParseException e) {
      return null; // not a chainwatch record: a fleet correlator reads topics other tools may write to
    }
  }

  /**
   * Folds one record into a cause's state and says what changed ({@code change}: opened, updated, resolved, or
   * absent when nothing a person would see changed).
   */
  static JsonObject fold(FleetConfig config, JsonObject record, JsonObject state) {
    JsonObject findings = state.getJsonObject("findings");
    String cluster = record.getString("chainwatchcluster");
    String id = cluster + "|" + record.getJsonObject("data").getString("dedupKey");
    Instant at = Instant.parse(record.getString("time"));
    if (FINDING.equals(record.getString("type"))) {
      findings.put(id, new JsonObject().put("cluster", cluster).put("node", record.getString("chainwatchnode"))
          .put("incident", record.getString("chainwatchincident")).put("at", at.toEpochMilli()));
    } else {
      findings.remove(id);
    }
    long oldest = at.minus(config.window()).toEpochMilli();
    for (Iterator<Map.Entry<String, Object>> it = findings.iterator(); it.hasNext(); ) {
      if (((JsonObject) it.next().getValue()).getLong("at") < oldest) {
        it.remove(); // older than the window: that cluster no longer counts for this cause
      }
    }
    TreeSet<String> clusters = new TreeSet<>();
    findings.forEach(entry -> clusters.add(((JsonObject) entry.getValue()).getString("cluster")));
    boolean wasOpen = state.getBoolean("open", false);
    boolean open = clusters.size() >= config.minClusters();
    JsonArray before = state.getJsonArray("clusters", new JsonArray());
    JsonArray now = new JsonArray(new java.util.ArrayList<>(clusters));
    String change = open && !wasOpen ? "opened" : open && !now.equals(before) ? "updated"
        : !open && wasOpen ? "resolved" : null;
    JsonObject next = new JsonObject().put("findings", findings).put("open", open).put("clusters", now)
        .put("at", at.toString())
        .put("since", open ? (wasOpen ? state.getString("since") : at.toString()) : null)
        .put("id", open && !wasOpen ? UUID.nameUUIDFromBytes((record.getString("chainwatchcause") + at)
            .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString() : state.getString("id"));
    if (change != null) {
      next.put("change", change);
    }
    return next;
  }

  /** The fleet incident's CloudEvent for a cause's state. */
  static JsonObject incident(String cause, JsonObject state) {
    JsonArray linked = new JsonArray();
    new TreeSet<>(state.getJsonObject("findings").stream()
        .map(e -> ((JsonObject) e.getValue()).getString("cluster") + "/" + ((JsonObject) e.getValue())
            .getString("incident")).toList()).forEach(linked::add);
    String[] parts = cause.split("/", 3);
    return new JsonObject()
        .put("specversion", "1.0")
        .put("id", UUID.nameUUIDFromBytes((cause + state.getString("at") + state.getString("change"))
            .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString())
        .put("source", "/chainwatch/fleet")
        .put("type", FLEET_INCIDENT)
        .put("subject", cause)
        .put("time", state.getString("at"))
        .put("datacontenttype", "application/json")
        .put("chainwatchcause", cause)
        .put("data", new JsonObject()
            .put("schemaVersion", 1)
            .put("incident", state.getString("id"))
            .put("change", state.getString("change"))
            .put("cause", cause)
            .put("detector", parts[0])
            .put("reason", parts.length > 1 ? parts[1] : "")
            .put("dimension", parts.length > 2 ? parts[2] : "")
            .put("clusters", state.getJsonArray("clusters"))
            .put("openFindings", state.getJsonObject("findings").size())
            .put("since", state.getString("since"))
            .put("linkedIncidents", linked));
  }
}
