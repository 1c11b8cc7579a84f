package io.chainwatch.fleet;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Decides fleet incidents, one partition of dimension values at a time. A cause is a fleet incident when either rule
 * holds:
 *
 * <ul>
 *   <li><b>clusters</b>: its findings are open in at least {@code minClusters} clusters;
 *   <li><b>share</b>: they are on at least {@code minNodes} nodes and at least {@code minSharePercent} % of the nodes
 *       the inventory has with that value (an OS image's nodes across the fleet), which needs the inventory.
 * </ul>
 *
 * It opens, updates when the clusters or the rules that hold change, and resolves when neither holds. While no
 * incident is open, a finding first seen longer than {@code window} before now stops counting (two findings a week
 * apart are not one event); once it is open, its findings count until they clear, so a long outage is not reported
 * resolved while nothing was fixed. Decisions are made on the records, never on a cache's flush, so each change is
 * emitted exactly once.
 *
 * <p>The store ({@link FleetTopology#STORE}) holds, so that a record costs a few point reads and writes however many
 * findings a cause has open: per cause a summary ({@code c␀cause}: open findings per cluster, distinct nodes, critical
 * findings, the incident's state), per open finding its details ({@code f␀cause␀id}) and per node its open findings
 * ({@code n␀cause␀cluster/node}). The findings of one cause are read only when an incident's record lists them, when
 * a cause would open with findings that may be older than the window, and every five minutes for causes without an
 * incident, to forget what is older than the window.
 */
final class FleetCorrelator implements Processor<String, String, String, String> {
  /** Linked per-cluster incidents listed in one fleet incident record; the count says how many more. */
  static final int MAX_LINKED = 100;
  /** The record's published schema, {@code docs/schema/chainwatch-fleet-incident-v1.schema.json}. */
  static final String SCHEMA = "https://chainwatch.io/schema/chainwatch-fleet-incident-v1.schema.json";
  private static final String SUMMARY = "c\u0000";
  private static final String FINDING = "f\u0000";
  private static final String NODE = "n\u0000";
  private static final StringSerializer KEYS = new StringSerializer();
  private final FleetConfig config;
  private final FleetTopology.Events events;
  private ProcessorContext<String, String> context;
  private KeyValueStore<String, String> store;
  private KeyValueStore<String, Long> totals;

  FleetCorrelator(FleetConfig config, FleetTopology.Events events) {
    this.config = config;
    this.events = events;
  }

  @Override
  public void init(ProcessorContext<String, String> context) {
    this.context = context;
    this.store = context.getStateStore(FleetTopology.STORE);
    this.totals = context.getStateStore(FleetTopology.TOTALS);
    context.schedule(Duration.ofMinutes(5), PunctuationType.WALL_CLOCK_TIME, wallClock -> forgetOld());
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
      for (KeyValue<String, String> summary : summaries()) {
        String cause = summary.key.substring(SUMMARY.length());
        if (FleetTopology.dimension(cause).equals(dimension)) {
          decide(cause, new JsonObject(summary.value), now, record);
        }
      }
      return;
    }
    String cause = in.getString("cause");
    JsonObject summary = summary(cause);
    String findingKey = FINDING + cause + "\u0000" + in.getString("id");
    String known = store.get(findingKey);
    long at = in.getLong("at");
    if ("finding".equals(in.getString("kind"))) {
      JsonObject finding = new JsonObject().put("cluster", in.getString("cluster")).put("node", in.getString("node"))
          .put("incident", in.getString("incident")).put("severity", in.getString("severity", "critical"))
          .put("at", at);
      if (known == null) {
        add(cause, summary, finding, +1);
      } else {
        finding.put("at", Math.min(at, new JsonObject(known).getLong("at"))); // a replay keeps when it was first seen
      }
      store.put(findingKey, finding.encode());
    } else if (known != null) {
      add(cause, summary, new JsonObject(known), -1);
      store.delete(findingKey);
    }
    decide(cause, summary, Math.max(at, context.currentStreamTimeMs()), record);
  }

  private JsonObject summary(String cause) {
    String stored = store.get(SUMMARY + cause);
    return stored != null ? new JsonObject(stored) : new JsonObject().put("clusters", new JsonObject())
        .put("nodes", 0).put("critical", 0).put("open", false);
  }

  /** Counts a finding in ({@code +1}) or out ({@code -1}) of its cause's summary and its node's count. */
  private void add(String cause, JsonObject summary, JsonObject finding, int sign) {
    String cluster = finding.getString("cluster");
    JsonObject clusters = summary.getJsonObject("clusters");
    int inCluster = clusters.getInteger(cluster, 0) + sign;
    if (inCluster <= 0) {
      clusters.remove(cluster);
    } else {
      clusters.put(cluster, inCluster);
    }
    String nodeKey = NODE + cause + "\u0000" + cluster + "/" + finding.getString("node");
    String onNode = store.get(nodeKey);
    long count = (onNode == null ? 0 : Long.parseLong(onNode)) + sign;
    if (count <= 0) {
      store.delete(nodeKey);
      if (onNode != null) {
        summary.put("nodes", summary.getInteger("nodes") - 1);
      }
    } else {
      store.put(nodeKey, Long.toString(count));
      if (onNode == null) {
        summary.put("nodes", summary.getInteger("nodes") + 1);
      }
    }
    if ("critical".equals(finding.getString("severity"))) {
      summary.put("critical", Math.max(0, summary.getInteger("critical") + sign));
    }
  }

  private List<String> rules(String cause, JsonObject summary) {
    List<String> rules = new ArrayList<>();
    if (summary.getJsonObject("clusters").size() >= config.minClusters()) {
      rules.add("clusters");
    }
    Long total = totals.get(FleetTopology.dimension(cause));
    int nodes = summary.getInteger("nodes");
    if (total != null && total > 0 && nodes >= config.minNodes() && nodes * 100L >= config.minSharePercent() * total) {
      rules.add("share");
    }
    return rules;
  }

  private void decide(String cause, JsonObject summary, long now, Record<String, String> trigger) {
    boolean wasOpen = summary.getBoolean("open", false);
    List<String> rules = rules(cause, summary);
    if (!wasOpen && !rules.isEmpty() && forget(cause, summary, now - config.window().toMillis())) {
      rules = rules(cause, summary); // some of what would open it is older than the window
    }
    boolean open = !rules.isEmpty();
    JsonArray clusterList = new JsonArray(new ArrayList<>(new TreeSet<>(summary.getJsonObject("clusters")
        .fieldNames())));
    JsonArray ruleList = new JsonArray(rules);
    String change = open && !wasOpen ? "opened"
        : open && (!clusterList.equals(summary.getJsonArray("clusterList"))
            || !ruleList.equals(summary.getJsonArray("rules"))) ? "updated"
        : !open && wasOpen ? "resolved" : null;
    String at = Instant.ofEpochMilli(now).toString();
    summary.put("since", open && !wasOpen ? at : wasOpen ? summary.getString("since") : null)
        .put("id", open && !wasOpen ? UUID.nameUUIDFromBytes((cause + "|" + at).getBytes(StandardCharsets.UTF_8))
            .toString() : summary.getString("id"))
        .put("open", open).put("clusterList", clusterList).put("rules", ruleList);
    if (summary.getJsonObject("clusters").isEmpty() && !open) {
      store.delete(SUMMARY + cause); // nothing left to remember: the store holds live causes
    } else {
      store.put(SUMMARY + cause, summary.encode());
    }
    if (change != null) {
      JsonObject incident = incident(cause, summary, change, at, linked(cause), totals.get(FleetTopology.dimension(
          cause)));
      context.forward(trigger.withKey(cause).withValue(incident.encode()).withTimestamp(now));
      events.incident(change);
    }
  }

  /** Forgets the cause's findings first seen before {@code oldest}; whether there were any. */
  private boolean forget(String cause, JsonObject summary, long oldest) {
    List<KeyValue<String, String>> old = new ArrayList<>();
    try (KeyValueIterator<String, String> findings = store.prefixScan(FINDING + cause + "\u0000", KEYS)) {
      findings.forEachRemaining(entry -> {
        if (new JsonObject(entry.value).getLong("at") < oldest) {
          old.add(entry);
        }
      });
    }
    for (KeyValue<String, String> entry : old) {
      add(cause, summary, new JsonObject(entry.value), -1);
      store.delete(entry.key);
    }
    return !old.isEmpty();
  }

  /** Every five minutes: causes without an incident forget findings older than the window. */
  private void forgetOld() {
    long oldest = Math.max(0, context.currentStreamTimeMs()) - config.window().toMillis();
    for (KeyValue<String, String> entry : summaries()) {
      JsonObject summary = new JsonObject(entry.value);
      String cause = entry.key.substring(SUMMARY.length());
      if (!summary.getBoolean("open", false) && forget(cause, summary, oldest)) {
        if (summary.getJsonObject("clusters").isEmpty()) {
          store.delete(entry.key);
        } else {
          store.put(entry.key, summary.encode());
        }
      }
    }
  }

  private List<KeyValue<String, String>> summaries() {
    List<KeyValue<String, String>> found = new ArrayList<>();
    try (KeyValueIterator<String, String> all = store.prefixScan(SUMMARY, KEYS)) {
      all.forEachRemaining(found::add);
    }
    return found;
  }

  /** {@code cluster/incident} of the cause's open findings, sorted, at most {@link #MAX_LINKED}, and how many. */
  private JsonObject linked(String cause) {
    TreeSet<String> linked = new TreeSet<>();
    try (KeyValueIterator<String, String> findings = store.prefixScan(FINDING + cause + "\u0000", KEYS)) {
      findings.forEachRemaining(entry -> {
        JsonObject finding = new JsonObject(entry.value);
        if (finding.getString("incident") != null) {
          linked.add(finding.getString("cluster") + "/" + finding.getString("incident"));
        }
      });
    }
    List<String> listed = new ArrayList<>(linked).subList(0, Math.min(MAX_LINKED, linked.size()));
    return new JsonObject().put("listed", new JsonArray(new ArrayList<>(listed))).put("count", linked.size());
  }

  private static long nullToZero(Long value) {
    return value == null ? 0 : value;
  }

  /** The fleet incident's CloudEvent. */
  static JsonObject incident(String cause, JsonObject summary, String change, String at, JsonObject linked,
      Long total) {
    String[] parts = cause.split("/", 3);
    int nodes = summary.getInteger("nodes");
    int openFindings = summary.getJsonObject("clusters").stream().mapToInt(e -> ((Number) e.getValue()).intValue())
        .sum();
    JsonObject data = new JsonObject()
        .put("schemaVersion", 1)
        .put("incident", summary.getString("id"))
        .put("change", change)
        .put("cause", cause)
        .put("detector", parts[0])
        .put("reason", parts[1])
        .put("dimension", parts[2])
        .put("severity", summary.getInteger("critical", 0) > 0 ? "critical" : "warning")
        .put("rules", summary.getJsonArray("rules"))
        .put("clusters", summary.getJsonArray("clusterList"))
        .put("openFindings", openFindings)
        .put("nodes", nodes)
        .put("since", summary.getString("since"))
        .put("linkedIncidents", linked.getJsonArray("listed"))
        .put("linkedIncidentCount", linked.getInteger("count"));
    if (total != null) {
      data.put("dimensionNodes", total).put("sharePercent", Math.min(100.0,
          Math.round(nodes * 1000.0 / total) / 10.0));
    }
    return new JsonObject()
        .put("specversion", "1.0")
        .put("id", UUID.nameUUIDFromBytes((summary.getString("id") + "|" + change + "|" + at + "|"
            + summary.getJsonArray("clusterList").encode() + nodes).getBytes(StandardCharsets.UTF_8)).toString())
        .put("source", "/chainwatch/fleet")
        .put("type", FleetTopology.FLEET_INCIDENT)
        .put("subject", cause)
        .put("time", at)
        .put("datacontenttype", "application/json")
        .put("dataschema", SCHEMA)
        .put("chainwatchcause", cause)
        .put("chainwatchdetector", parts[0])
        .put("data", data);
  }
}
