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

  /** One table per snapshot type of {@link WatchedKinds#ALL}. */
  private final Map<Class<?>, SnapshotTable<?>> tables = new java.util.IdentityHashMap<>();
  // the tables the view's own queries read, named
  private final SnapshotTable<PodSnapshot> pods;
  private final SnapshotTable<NodeSnapshot> nodes;
  private final SnapshotTable<EndpointSnapshot> endpoints;
  private final SnapshotTable<NamespaceSnapshot> namespaces;
  private final SnapshotTable<CiliumNodeSnapshot> ciliumNodes;
  private final SnapshotTable<CiliumConfigSnapshot> ciliumConfigs;
  private final SnapshotTable<BudgetSnapshot> budgets;
  private final SnapshotTable<DaemonSetSnapshot> daemonSets;
  private final SnapshotTable<PolicySnapshot> policies;
  private final SnapshotTable<io.chainwatch.model.SandboxFailureSnapshot> sandboxFailures;

  private final java.time.Clock clock;
  private final boolean live;
  /** When a NoSchedule taint left a node, by {@code node|key}, as this state saw it (never in a dump). */
  private final Map<String, java.time.Instant> taintsRemovedAt = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> podKeysByNode = new ConcurrentHashMap<>();
  /** Sandbox-failure Events by the pod they are about ({@code namespace/name}), by their own keys. */
  private final Map<String, Set<String>> sandboxFailureKeysByPod = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> agentKeysByNode = new ConcurrentHashMap<>();
  /** Pods per owning workload ({@code Kind namespace/name}): base CNI agents show through their pods. */
  private final Map<String, Integer> podsByWorkload = new ConcurrentHashMap<>();
  /** Agent pods per namespace: where Cilium runs when its namespace is not pinned. */
  private final Map<String, Integer> agentsByNamespace = new ConcurrentHashMap<>();

  public ClusterState(AgentIdentity agents, Consumer<ClusterChange> changeListener) {
    this(agents, changeListener, java.time.Clock.systemUTC(), true);
  }

  /**
   * @param clock the time taint removals are recorded at
   * @param live whether the state follows a cluster's changes (informers) rather than a dump read once
   */
  public ClusterState(AgentIdentity agents, Consumer<ClusterChange> changeListener, java.time.Clock clock,
      boolean live) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.live = live;
    this.agents = Objects.requireNonNull(agents, "agents");
    this.changeListener = Objects.requireNonNull(changeListener, "changeListener");
    WatchedKinds.snapshotTypes().forEach(type -> tables.put(type, new SnapshotTable<>()));
    this.pods = table(PodSnapshot.class);
    this.nodes = table(NodeSnapshot.class);
    this.endpoints = table(EndpointSnapshot.class);
    this.namespaces = table(NamespaceSnapshot.class);
    this.ciliumNodes = table(CiliumNodeSnapshot.class);
    this.ciliumConfigs = table(CiliumConfigSnapshot.class);
    this.budgets = table(BudgetSnapshot.class);
    this.daemonSets = table(DaemonSetSnapshot.class);
    this.policies = table(PolicySnapshot.class);
    this.sandboxFailures = table(io.chainwatch.model.SandboxFailureSnapshot.class);
  }

  /** A state that reports changes nowhere and reads a dump once: for scan and tests. */
  public static ClusterState detached(AgentIdentity agents) {
    return new ClusterState(agents, change -> {}, java.time.Clock.systemUTC(), false);
  }

  public AgentIdentity agentIdentity() {
    return agents;
  }

  /** The table that holds snapshots of this kind. */
  @SuppressWarnings("unchecked")
  public <S extends Snapshot> SnapshotTable<S> table(Class<S> kind) {
    SnapshotTable<S> table = (SnapshotTable<S>) tables.get(kind);
    if (table == null) {
      throw new IllegalArgumentException("no table for " + kind + ": declare its kind in WatchedKinds");
    }
    return table;
  }

  /**
   * Stores a snapshot under its informer key.
   *
   * @return the previous entry, or {@code null}
   */
  public <S extends Snapshot> SnapshotTable.Entry<S> put(String key, String resourceVersion, S snapshot) {
    if (snapshot instanceof CiliumConfigSnapshot config && !agents.isCiliumConfig(config.namespace(), config.name())) {
      return null; // only cilium-config is read among ConfigMaps, whatever a list or a dump brings
    }
    @SuppressWarnings("unchecked")
    SnapshotTable<S> table = (SnapshotTable<S>) table(snapshot.getClass());
    SnapshotTable.Entry<S> previous = table.put(key, resourceVersion, snapshot);
    S before = previous == null ? null : previous.snapshot();
    if (!snapshot.equals(before)) {
      if (before instanceof NodeSnapshot old && snapshot instanceof NodeSnapshot now) {
        recordTaintRemovals(old, now);
      }
      reindex(key, before, snapshot);
      invalidateInstall(snapshot); // after the indexes: a reader in between must not cache the old counts
      invalidateInstall(before);
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
    if (removed != null && removed.snapshot() instanceof NodeSnapshot node) {
      taintsRemovedAt.keySet().removeIf(entry -> entry.startsWith(node.name() + "|"));
    }
    if (removed != null) {
      reindex(key, removed.snapshot(), null);
      invalidateInstall(removed.snapshot());
      changeListener.accept(new ClusterChange(removed.snapshot().ref(), removed.snapshot(), null));
    }
    return removed;
  }

  private void recordTaintRemovals(NodeSnapshot before, NodeSnapshot after) {
    Set<String> kept = new java.util.HashSet<>();
    after.taints().forEach(taint -> kept.add(taintKey(taint)));
    for (String taint : before.taints()) {
      String taintKey = taintKey(taint);
      if (!kept.contains(taintKey)) {
        taintsRemovedAt.put(after.name() + "|" + taintKey, clock.instant());
      }
    }
    for (String taintKey : kept) {
      taintsRemovedAt.remove(after.name() + "|" + taintKey); // back on: a later removal counts anew
    }
  }

  /** {@code key=value:effect} → {@code key}. */
  static String taintKey(String taint) {
    int end = taint.length();
    for (char stop : new char[] {'=', ':'}) {
      int at = taint.indexOf(stop);
      if (at >= 0 && at < end) {
        end = at;
      }
    }
    return taint.substring(0, end);
  }

  @Override
  public java.util.Optional<java.time.Instant> taintRemovedAt(String node, String taintKey) {
    return java.util.Optional.ofNullable(taintsRemovedAt.get(node + "|" + taintKey));
  }

  @Override
  public boolean live() {
    return live;
  }

  /** The informer key of a snapshot: {@code namespace/name} for namespaced kinds, {@code name} otherwise. */
  public static String keyOf(Snapshot snapshot) {
    var ref = snapshot.ref();
    return ref.namespace() == null ? ref.name() : ref.namespace() + "/" + ref.name();
  }

  /**
   * The workload that owns a pod, {@code Kind namespace/name}: a ReplicaSet's pods count for its Deployment (the
   * ReplicaSet's name less its pod-template hash). {@code null} for bare pods.
   */
  static String workloadOf(PodSnapshot pod) {
    if (pod.owner() == null) {
      return null;
    }
    if (pod.owner().kind().equals("ReplicaSet")) {
      return "Deployment " + pod.namespace() + "/" + withoutTemplateHash(pod.owner().name());
    }
    return pod.owner().kind() + " " + pod.namespace() + "/" + pod.owner().name();
  }

  /** {@code web-7d9c6b5f4} is ReplicaSet {@code web}'s template hash: what {@code -[a-z0-9]{5,10}$} strips, without
   * a regex (this runs for every new pod). */
  static String withoutTemplateHash(String replicaSet) {
    int dash = replicaSet.lastIndexOf('-');
    int length = replicaSet.length() - dash - 1;
    if (dash < 0 || length < 5 || length > 10) {
      return replicaSet;
    }
    for (int i = dash + 1; i < replicaSet.length(); i++) {
      char c = replicaSet.charAt(i);
      if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9')) {
        return replicaSet;
      }
    }
    return replicaSet.substring(0, dash);
  }

  private void reindex(String key, Snapshot before, Snapshot after) {
    // most pod updates keep their owner: the workload index is touched only when it changes (its key costs a regex)
    boolean sameOwner = before instanceof PodSnapshot old && after instanceof PodSnapshot pod
        && old.namespace().equals(pod.namespace()) && java.util.Objects.equals(old.owner(), pod.owner());
    if (!sameOwner) {
      String oldWorkload = before instanceof PodSnapshot old ? workloadOf(old) : null;
      String newWorkload = after instanceof PodSnapshot pod ? workloadOf(pod) : null;
      if (oldWorkload != null) {
        podsByWorkload.computeIfPresent(oldWorkload, (w, count) -> count <= 1 ? null : count - 1);
      }
      if (newWorkload != null) {
        podsByWorkload.merge(newWorkload, 1, Integer::sum);
      }
    }
    if (before instanceof io.chainwatch.model.SandboxFailureSnapshot old && old.podName() != null) {
      unindex(sandboxFailureKeysByPod, old.namespace() + "/" + old.podName(), key);
    }
    if (after instanceof io.chainwatch.model.SandboxFailureSnapshot failure && failure.podName() != null) {
      sandboxFailureKeysByPod.computeIfAbsent(failure.namespace() + "/" + failure.podName(),
          p -> ConcurrentHashMap.newKeySet()).add(key);
    }
    if (before instanceof PodSnapshot old && old.nodeName() != null) {
      unindex(podKeysByNode, old.nodeName(), key);
      if (agents.isAgent(old)) {
        unindex(agentKeysByNode, old.nodeName(), key);
        agentsByNamespace.computeIfPresent(old.namespace(), (ns, count) -> count <= 1 ? null : count - 1);
      }
    }
    if (after instanceof PodSnapshot pod && pod.nodeName() != null) {
      podKeysByNode.computeIfAbsent(pod.nodeName(), n -> ConcurrentHashMap.newKeySet()).add(key);
      if (agents.isAgent(pod)) {
        agentKeysByNode.computeIfAbsent(pod.nodeName(), n -> ConcurrentHashMap.newKeySet()).add(key);
        agentsByNamespace.merge(pod.namespace(), 1, Integer::sum);
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

  private volatile boolean endpointsUnlisted;

  @Override
  public boolean endpointsUnlisted() {
    return endpointsUnlisted;
  }

  /** For scan: the input held no CiliumEndpoint at all (a dump without them, not a cluster without them). */
  public void markEndpointsUnlisted(boolean unlisted) {
    this.endpointsUnlisted = unlisted;
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
    String namespace = agents.namespacePinned() ? agents.namespace() : cilium().namespace();
    return namespace == null ? Optional.empty()
        : ciliumConfigs.snapshot(namespace + "/" + agents.configMapName());
  }

  /** DaemonSet labels Cilium's chart (1.14 and later) puts on the agent DaemonSet. */
  public static boolean isAgentDaemonSet(DaemonSetSnapshot daemonSet) {
    return "cilium".equals(daemonSet.labels().get("k8s-app"))
        || "cilium-agent".equals(daemonSet.labels().get("app.kubernetes.io/name"));
  }

  @Override
  public int ciliumAgentCount() {
    int count = 0;
    for (int perNamespace : agentsByNamespace.values()) {
      count += perNamespace;
    }
    return count;
  }

  @Override
  public Set<String> workloads() {
    return Collections.unmodifiableSet(podsByWorkload.keySet());
  }

  /** {@link #cilium()} as last computed; cleared by any change it depends on (it is asked on every evaluation). */
  private volatile CiliumInstall install;
  /** Bumped by every invalidation: an answer computed across one is not kept (informer threads write meanwhile). */
  private final java.util.concurrent.atomic.AtomicLong installVersion = new java.util.concurrent.atomic.AtomicLong();

  private void invalidateInstall(Snapshot changed) {
    if (changed == null) {
      return;
    }
    if (changed instanceof CiliumConfigSnapshot || changed instanceof DaemonSetSnapshot
        || (changed instanceof PodSnapshot pod && agents.isAgent(pod))) {
      synchronized (installVersion) {
        installVersion.incrementAndGet();
        install = null;
      }
    }
  }

  @Override
  public CiliumInstall cilium() {
    CiliumInstall known = install;
    if (known == null) {
      long version = installVersion.get();
      known = findCilium();
      synchronized (installVersion) {
        if (installVersion.get() == version) {
          install = known;
        }
      }
    }
    return known;
  }

  private CiliumInstall findCilium() {
    if (agents.namespacePinned()) {
      return new CiliumInstall(agents.namespace(), List.of("configured ciliumNamespace=" + agents.namespace()), null,
          agents);
    }
    Map<String, List<String>> evidence = new java.util.TreeMap<>();
    agentsByNamespace.forEach((namespace, count) -> evidence.computeIfAbsent(namespace, n -> new ArrayList<>())
        .add(count + " agent pod(s) labelled " + agents.agentSelector()));
    for (DaemonSetSnapshot daemonSet : daemonSets.snapshots()) {
      if (isAgentDaemonSet(daemonSet)) {
        evidence.computeIfAbsent(daemonSet.namespace(), n -> new ArrayList<>())
            .add("DaemonSet " + daemonSet.namespace() + "/" + daemonSet.name());
      }
    }
    for (CiliumConfigSnapshot config : ciliumConfigs.snapshots()) {
      evidence.computeIfAbsent(config.namespace(), n -> new ArrayList<>())
          .add("ConfigMap " + config.namespace() + "/" + config.name());
    }
    if (evidence.isEmpty()) {
      return new CiliumInstall(null, List.of(), null, agents);
    }
    if (evidence.size() == 1) {
      var only = evidence.entrySet().iterator().next();
      return new CiliumInstall(only.getKey(), only.getValue(), null, agents);
    }
    List<String> found = new ArrayList<>();
    evidence.forEach((namespace, signals) -> found.add(namespace + " (" + String.join(", ", signals) + ")"));
    return new CiliumInstall(null, List.of(), "Cilium shows in " + evidence.size() + " namespaces: "
        + String.join("; ", found) + ". Pin the right one with ciliumNamespace", agents);
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
  public Collection<io.chainwatch.model.SandboxFailureSnapshot> sandboxFailures() {
    return sandboxFailures.snapshots();
  }

  @Override
  public List<io.chainwatch.model.SandboxFailureSnapshot> sandboxFailuresOf(String namespace, String pod) {
    Set<String> keys = sandboxFailureKeysByPod.getOrDefault(namespace + "/" + pod, Set.of());
    List<io.chainwatch.model.SandboxFailureSnapshot> failures = new ArrayList<>(keys.size());
    for (String key : keys) {
      sandboxFailures.snapshot(key).ifPresent(failures::add);
    }
    return failures;
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

  /** Object counts per watched kind, for metrics (kinds that share a table are counted apart). */
  public Map<String, Integer> sizes() {
    Map<String, Integer> sizes = new java.util.LinkedHashMap<>();
    for (WatchedKind<?> watched : WatchedKinds.ALL) {
      sizes.put(watched.kind(), size(watched));
    }
    return sizes;
  }

  /** Objects of one watched kind in the view. */
  public int size(WatchedKind<?> watched) {
    SnapshotTable<?> table = tables.get(watched.snapshotType());
    if (WatchedKinds.ofSnapshotType(watched.snapshotType()).size() == 1) {
      return table.size();
    }
    return (int) table.snapshots().stream().filter(s -> s.ref().kind().equals(watched.kind())).count();
  }
}
