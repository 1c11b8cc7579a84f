package io.chainwatch.watcher.view;

import io.chainwatch.model.BudgetSnapshot;
import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.DaemonSetSnapshot;
import io.chainwatch.model.PolicySnapshot;
import io.chainwatch.model.CiliumNodeSnapshot;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.EndpointSnapshot;
import io.chainwatch.model.NamespaceSnapshot;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.Snapshot;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The cluster view: one table of snapshots per kind plus the indexes detectors need (pods by node, agents by node).
 *
 * <p>Written by informer threads (one writer per kind) or by the scan loader, read by detectors on the event loop;
 * concurrent maps keep every single read consistent. Every write that changes a snapshot is reported to the change
 * listener, which turns it into a {@link ClusterChange} on the bus.
 */
public final class ClusterState implements ClusterView {
  private final AgentIdentity agents;
  private final Consumer<ClusterChange> changeListener;

  private final SnapshotTable<PodSnapshot> pods = new SnapshotTable<>();
  private final SnapshotTable<NodeSnapshot> nodes = new SnapshotTable<>();
  private final SnapshotTable<EndpointSnapshot> endpoints = new SnapshotTable<>();
  private final SnapshotTable<NamespaceSnapshot> namespaces = new SnapshotTable<>();
  private final SnapshotTable<CiliumNodeSnapshot> ciliumNodes = new SnapshotTable<>();
  private final SnapshotTable<CiliumConfigSnapshot> ciliumConfigs = new SnapshotTable<>();
  private final SnapshotTable<BudgetSnapshot> budgets = new SnapshotTable<>();
  private final SnapshotTable<DaemonSetSnapshot> daemonSets = new SnapshotTable<>();
  private final SnapshotTable<PolicySnapshot> policies = new SnapshotTable<>();

  private final Map<String, Set<String>> podKeysByNode = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> agentKeysByNode = new ConcurrentHashMap<>();

  public ClusterState(AgentIdentity agents, Consumer<ClusterChange> changeListener) {
    this.agents = Objects.requireNonNull(agents, "agents");
    this.changeListener = Objects.requireNonNull(changeListener, "changeListener");
  }

  /** A state that reports changes nowhere: for scan and tests. */
  public static ClusterState detached(AgentIdentity agents) {
    return new ClusterState(agents, change -> {});
  }

  public AgentIdentity agentIdentity() {
    return agents;
  }

  /** The table that holds snapshots of this kind. */
  @SuppressWarnings("unchecked")
  public <S extends Snapshot> SnapshotTable<S> table(Class<S> kind) {
    if (kind == PodSnapshot.class) {
      return (SnapshotTable<S>) pods;
    } else if (kind == NodeSnapshot.class) {
      return (SnapshotTable<S>) nodes;
    } else if (kind == EndpointSnapshot.class) {
      return (SnapshotTable<S>) endpoints;
    } else if (kind == NamespaceSnapshot.class) {
      return (SnapshotTable<S>) namespaces;
    } else if (kind == CiliumNodeSnapshot.class) {
      return (SnapshotTable<S>) ciliumNodes;
    } else if (kind == CiliumConfigSnapshot.class) {
      return (SnapshotTable<S>) ciliumConfigs;
    } else if (kind == BudgetSnapshot.class) {
      return (SnapshotTable<S>) budgets;
    } else if (kind == DaemonSetSnapshot.class) {
      return (SnapshotTable<S>) daemonSets;
    } else if (kind == PolicySnapshot.class) {
      return (SnapshotTable<S>) policies;
    }
    throw new IllegalArgumentException("no table for " + kind);
  }

  /**
   * Stores a snapshot under its informer key.
   *
   * @return the previous entry, or {@code null}
   */
  public <S extends Snapshot> SnapshotTable.Entry<S> put(String key, String resourceVersion, S snapshot) {
    @SuppressWarnings("unchecked")
    SnapshotTable<S> table = (SnapshotTable<S>) table(snapshot.getClass());
    SnapshotTable.Entry<S> previous = table.put(key, resourceVersion, snapshot);
    S before = previous == null ? null : previous.snapshot();
    if (!snapshot.equals(before)) {
      reindex(key, before, snapshot);
      changeListener.accept(new ClusterChange(snapshot.ref(), before, snapshot));
    }
    return previous;
  }

  /** Stores a snapshot under the key an informer would use ({@code namespace/name} or {@code name}). */
  public <S extends Snapshot> void put(S snapshot) {
    put(keyOf(snapshot), "", snapshot);
  }

  /**
   * Removes the entry under {@code key} from the table of {@code kind}.
   *
   * @return the removed entry, or {@code null}
   */
  public <S extends Snapshot> SnapshotTable.Entry<S> remove(Class<S> kind, String key) {
    SnapshotTable.Entry<S> removed = table(kind).remove(key);
    if (removed != null) {
      reindex(key, removed.snapshot(), null);
      changeListener.accept(new ClusterChange(removed.snapshot().ref(), removed.snapshot(), null));
    }
    return removed;
  }

  /** The informer key of a snapshot: {@code namespace/name} for namespaced kinds, {@code name} otherwise. */
  public static String keyOf(Snapshot snapshot) {
    var ref = snapshot.ref();
    return ref.namespace() == null ? ref.name() : ref.namespace() + "/" + ref.name();
  }

  private void reindex(String key, Snapshot before, Snapshot after) {
    if (before instanceof PodSnapshot old && old.nodeName() != null) {
      unindex(podKeysByNode, old.nodeName(), key);
      if (agents.isAgent(old)) {
        unindex(agentKeysByNode, old.nodeName(), key);
      }
    }
    if (after instanceof PodSnapshot pod && pod.nodeName() != null) {
      podKeysByNode.computeIfAbsent(pod.nodeName(), n -> ConcurrentHashMap.newKeySet()).add(key);
      if (agents.isAgent(pod)) {
        agentKeysByNode.computeIfAbsent(pod.nodeName(), n -> ConcurrentHashMap.newKeySet()).add(key);
      }
    }
  }

  private static void unindex(Map<String, Set<String>> index, String node, String key) {
    index.computeIfPresent(node, (n, keys) -> {
      keys.remove(key);
      return keys.isEmpty() ? null : keys;
    });
  }

  @Override
  public Optional<PodSnapshot> pod(String namespace, String name) {
    return pods.snapshot(namespace + "/" + name);
  }

  @Override
  public Collection<PodSnapshot> pods() {
    return pods.snapshots();
  }

  @Override
  public Collection<PodSnapshot> podsOnNode(String node) {
    return resolve(podKeysByNode.getOrDefault(node, Set.of()));
  }

  @Override
  public Optional<NodeSnapshot> node(String name) {
    return nodes.snapshot(name);
  }

  @Override
  public Collection<NodeSnapshot> nodes() {
    return nodes.snapshots();
  }

  @Override
  public Optional<EndpointSnapshot> endpoint(String namespace, String name) {
    return endpoints.snapshot(namespace + "/" + name);
  }

  @Override
  public int endpointCount() {
    return endpoints.size();
  }

  @Override
  public Optional<NamespaceSnapshot> namespace(String name) {
    return namespaces.snapshot(name);
  }

  @Override
  public Optional<CiliumNodeSnapshot> ciliumNode(String name) {
    return ciliumNodes.snapshot(name);
  }

  @Override
  public Optional<CiliumConfigSnapshot> ciliumConfig() {
    return ciliumConfigs.snapshot(agents.namespace() + "/" + agents.configMapName());
  }

  @Override
  public List<PodSnapshot> ciliumAgentsOn(String node) {
    return resolve(agentKeysByNode.getOrDefault(node, Set.of()));
  }

  @Override
  public Collection<PolicySnapshot> policies() {
    return policies.snapshots();
  }

  @Override
  public Collection<DaemonSetSnapshot> daemonSets() {
    return daemonSets.snapshots();
  }

  @Override
  public Collection<BudgetSnapshot> budgets() {
    return budgets.snapshots();
  }

  @Override
  public boolean isCiliumAgent(PodSnapshot pod) {
    return agents.isAgent(pod);
  }

  private List<PodSnapshot> resolve(Set<String> keys) {
    if (keys.isEmpty()) {
      return List.of();
    }
    List<PodSnapshot> resolved = new ArrayList<>(keys.size());
    for (String key : keys) {
      pods.snapshot(key).ifPresent(resolved::add);
    }
    return Collections.unmodifiableList(resolved);
  }

  /** Object counts per kind, for metrics. */
  public Map<String, Integer> sizes() {
    return Map.of(
        "Pod", pods.size(),
        "Node", nodes.size(),
        "CiliumEndpoint", endpoints.size(),
        "Namespace", namespaces.size(),
        "CiliumNode", ciliumNodes.size(),
        "ConfigMap", ciliumConfigs.size(),
        "PodDisruptionBudget", budgets.size(),
        "DaemonSet", daemonSets.size(),
        "CiliumNetworkPolicy", policies.size());
  }
}
