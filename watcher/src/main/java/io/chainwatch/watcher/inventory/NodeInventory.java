package io.chainwatch.watcher.inventory;

import io.chainwatch.model.NodeFacts;
import io.chainwatch.model.NodeSnapshot;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * This cluster's nodes as the fleet compares them, for the compacted inventory topic: key {@code cluster/node},
 * value the node's pool, OS image, kernel, kubelet, Cilium version and whether its probe reports; a tombstone when
 * the node is gone. Pure: {@link #changes} compares the view with what was last published and returns only what
 * differs, so the topic gets a record per node change, not per heartbeat.
 */
public final class NodeInventory {
  /** Version of the value's shape (it may gain fields; never changes or removes them). */
  public static final int SCHEMA_VERSION = 1;

  /**
   * One node's published state.
   *
   * @param facts what the node is
   * @param probeReports whether its probe has written a report (chainwatch sees its host)
   */
  public record Entry(NodeFacts facts, boolean probeReports) {}

  /**
   * A record for the topic.
   *
   * @param key {@code cluster/node}
   * @param value the JSON value, {@code null} for a tombstone
   */
  public record Change(String node, String key, String value) {}

  private final String cluster;
  private final Map<String, Entry> published = new HashMap<>();

  public NodeInventory(String cluster) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
  }

  /**
   * What to publish now: every node whose facts differ from what was last published, and a tombstone for every
   * node published before and gone since. Remembers them as published.
   */
  public List<Change> changes(Collection<NodeSnapshot> nodes, String ciliumVersion) {
    List<Change> changes = new ArrayList<>();
    Map<String, Entry> now = new HashMap<>();
    for (NodeSnapshot node : nodes) {
      Entry entry = new Entry(new NodeFacts(node.name(), io.chainwatch.model.NodePools.of(node.labels()).orElse(null),
          node.osImage(), node.kernelVersion(), node.kubeletVersion(), ciliumVersion), node.report() != null);
      now.put(node.name(), entry);
      if (!entry.equals(published.get(node.name()))) {
        changes.add(new Change(node.name(), key(node.name()), value(entry)));
      }
    }
    for (String gone : published.keySet()) {
      if (!now.containsKey(gone)) {
        changes.add(new Change(gone, key(gone), null));
      }
    }
    published.clear();
    published.putAll(now);
    return changes;
  }

  /** Forgets what was published: the next {@link #changes} publishes every node again (a new leader does). */
  public void forget() {
    published.clear();
  }

  private String key(String node) {
    return cluster + "/" + node;
  }

  private String value(Entry entry) {
    NodeFacts facts = entry.facts();
    return new JsonObject()
        .put("schemaVersion", SCHEMA_VERSION)
        .put("cluster", cluster)
        .put("node", facts.node())
        .put("nodePool", facts.nodePool())
        .put("osImage", facts.osImage())
        .put("kernel", facts.kernel())
        .put("kubelet", facts.kubelet())
        .put("ciliumVersion", facts.ciliumVersion())
        .put("probeReports", entry.probeReports())
        .encode();
  }
}
