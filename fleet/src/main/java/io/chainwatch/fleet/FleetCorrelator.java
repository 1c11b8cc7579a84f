package io.chainwatch.fleet;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Decides fleet incidents, one partition of dimension values at a time. Per cause it keeps the open findings (their
 * cluster, node, incident and time) in {@link FleetTopology#STORE}; per dimension value the number of inventory nodes
 * that have it in {@link FleetTopology#TOTALS}. A cause is a fleet incident when either rule holds:
 *
 * <ul>
 *   <li><b>clusters</b>: its findings are open in at least {@code minClusters} clusters;
 *   <li><b>share</b>: they are on at least {@code minNodes} nodes and at least {@code minSharePercent} % of the nodes
 *       the inventory has with that value (an OS image's nodes across the fleet), which needs the inventory.
 * </ul>
 *
 * It opens, updates when the clusters or the rules that hold change, and resolves when neither holds. While no
 * incident is open, a finding first seen longer than {@code window} before the newest record stops counting (two
 * findings a week apart are not one event); once it is open, its findings count until they clear, so a long outage
 * is not reported resolved while nothing was fixed. Decisions are made on the records, never on a cache's flush, so
 * each change is emitted exactly once.
 */
final class FleetCorrelator implements Processor<String, String, String, String> {
  /** Findings kept per cause: beyond it the oldest are forgotten (the counts then undercount; never unbounded). */
  static final int MAX_FINDINGS_PER_CAUSE = 20_000;
  private final FleetConfig config;
  private ProcessorContext<String, String> context;
  private KeyValueStore<String, String> causes;
  private KeyValueStore<String, Long> totals;

  FleetCorrelator(FleetConfig config) {
    this.config = config;
  }

  @Override
  public void init(ProcessorContext<String, String> context) {
    this.context = context;
    this.causes = context.getStateStore(FleetTopology.STORE);
    this.totals = context.getStateStore(FleetTopology.TOTALS);
  }

  @Override
  public void process(Record<String, String> record) {
    String dimension = record.key();
    JsonObject in = new JsonObject(record.value());
    if ("nodes".equals(in.getString("kind"))) {
      long total = Math.max(0, nullToZero(totals.get(dimension)) + in.getLong("delta", 0L));
      if (total == 0) {
        totals.delete(dimension);
      } else {
        totals.put(dimension, total);
      }
      long now = Math.max(0, context.currentStreamTimeMs());
      for (KeyValue<String, String> cause : causesOf(dimension)) {
        decide(cause.key, new JsonObject(cause.value), now, record);
      }
      return;
    }
    String cause = in.getString("cause");
    String stored = causes.get(cause);
    JsonObject state = stored == null ? new JsonObject().put("findings", new JsonObject()).put("open", false)
        : new JsonObject(stored);
    JsonObject findings = state.getJsonObject("findings");
    long at = in.getLong("at");
    if ("finding".equals(in.getString("kind"))) {
      JsonObject known = findings.getJsonObject(in.getString("id"));
      findings.put(in.getString("id"), new JsonObject().put("cluster", in.getString("cluster"))
          .put("node", in.getString("node")).put("incident", in.getString("incident"))
          .put("severity", in.getString("severity", "critical"))
          .put("at", known == null ? at : Math.min(at, known.getLong("at"))));
      if (findings.size() > MAX_FINDINGS_PER_CAUSE) {
        findings.remove(oldest(findings));
      }
    } else {
      findings.remove(in.getString("id"));
    }
    decide(cause, state, Math.max(at, context.currentStreamTimeMs()), record);
  }

  /** The causes whose dimension value is {@code dimension} (few per partition: a store of causes, not findings). */
  private List<KeyValue<String, String>> causesOf(String dimension) {
    List<KeyValue<String, String>> found = new ArrayList<>();
    try (KeyValueIterator<String, String> all = causes.all()) {
      all.forEachRemaining(entry -> {
        if (FleetTopology.dimension(entry.key).equals(dimension)) {
          found.add(entry);
        }
      });
    }
    return found;
  }

  private void decide(String cause, JsonObject state, long now, Record<String, String> trigger) {
    JsonObject findings = state.getJsonObject("findings");
    boolean wasOpen = state.getBoolean("open", false);
    if (!wasOpen) {
      long oldest = now - config.window().toMillis();
      for (Iterator<Map.Entry<String, Object>> it = findings.iterator(); it.hasNext(); ) {
        if (((JsonObject) it.next().getValue()).getLong("at") < oldest) {
          it.remove();
        }
      }
    }
    TreeSet<String> clusters = new TreeSet<>();
    TreeSet<String> nodes = new TreeSet<>();
    findings.forEach(entry -> {
      JsonObject finding = (JsonObject) entry.getValue();
      clusters.add(finding.getString("cluster"));
      nodes.add(finding.getString("cluster") + "/" + finding.getString("node"));
    });
    Long total = totals.get(FleetTopology.dimension(cause));
    List<String> rules = new ArrayList<>();
    if (clusters.size() >= config.minClusters()) {
      rules.add("clusters");
    }
    if (total != null && total > 0 && nodes.size() >= config.minNodes()
        && nodes.size() * 100L >= config.minSharePercent() * total) {
      rules.add("share");
    }
    boolean open = !rules.isEmpty();
    JsonArray clusterList = new JsonArray(new ArrayList<>(clusters));
    JsonArray ruleList = new JsonArray(rules);
    String change = open && !wasOpen ? "opened"
        : open && (!clusterList.equals(state.getJsonArray("clusters")) || !ruleList.equals(state.getJsonArray("rules")))
            ? "updated"
        : !open && wasOpen ? "resolved" : null;
    String at = Instant.ofEpochMilli(now).toString();
    String since = open && !wasOpen ? at : wasOpen ? state.getString("since") : null;
    String id = open && !wasOpen ? UUID.nameUUIDFromBytes((cause + "|" + at).getBytes(StandardCharsets.UTF_8))
        .toString() : state.getString("id");
    JsonObject next = new JsonObject().put("findings", findings).put("open", open).put("clusters", clusterList)
        .put("rules", ruleList).put("since", since).put("id", id);
    if (findings.isEmpty() && !open) {
      causes.delete(cause); // nothing left to remember: the store holds causes that are live
    } else {
      causes.put(cause, next.encode());
    }
    if (change != null) {
      JsonObject incident = incident(cause, next, change, at, nodes.size(), total);
      context.forward(trigger.withKey(cause).withValue(incident.encode()).withTimestamp(now));
    }
  }

  private static String oldest(JsonObject findings) {
    String oldest = null;
    long when = Long.MAX_VALUE;
    for (Map.Entry<String, Object> entry : findings) {
      long at = ((JsonObject) entry.getValue()).getLong("at");
      if (at < when) {
        when = at;
        oldest = entry.getKey();
      }
    }
    return oldest;
  }

  private static long nullToZero(Long value) {
    return value == null ? 0 : value;
  }

  /** The fleet incident's CloudEvent. */
  static JsonObject incident(String cause, JsonObject state, String change, String at, int nodes, Long total) {
    JsonObject findings = state.getJsonObject("findings");
    TreeSet<String> linked = new TreeSet<>();
    findings.forEach(e -> {
      JsonObject finding = (JsonObject) e.getValue();
      if (finding.getString("incident") != null) {
        linked.add(finding.getString("cluster") + "/" + finding.getString("incident"));
      }
    });
    String[] parts = cause.split("/", 3);
    JsonObject data = new JsonObject()
        .put("schemaVersion", 1)
        .put("incident", state.getString("id"))
        .put("change", change)
        .put("cause", cause)
        .put("detector", parts[0])
        .put("reason", parts[1])
        .put("dimension", parts[2])
        .put("severity", findings.stream().anyMatch(e -> "critical".equals(((JsonObject) e.getValue())
            .getString("severity"))) ? "critical" : "warning")
        .put("rules", state.getJsonArray("rules"))
        .put("clusters", state.getJsonArray("clusters"))
        .put("openFindings", findings.size())
        .put("nodes", nodes)
        .put("since", state.getString("since"))
        .put("linkedIncidents", new JsonArray(new ArrayList<>(linked)));
    if (total != null) {
      data.put("dimensionNodes", total).put("sharePercent", Math.min(100.0,
          Math.round(nodes * 1000.0 / total) / 10.0));
    }
    return new JsonObject()
        .put("specversion", "1.0")
        .put("id", UUID.nameUUIDFromBytes((state.getString("id") + "|" + change + "|" + at + "|"
            + state.getJsonArray("clusters").encode() + nodes).getBytes(StandardCharsets.UTF_8)).toString())
        .put("source", "/chainwatch/fleet")
        .put("type", FleetTopology.FLEET_INCIDENT)
        .put("subject", cause)
        .put("time", at)
        .put("datacontenttype", "application/json")
        .put("chainwatchcause", cause)
        .put("chainwatchdetector", parts[0])
        .put("data", data);
  }
}
