package io.chainwatch.watcher.informer;

import io.chainwatch.model.BudgetSnapshot;
import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.DaemonSetSnapshot;
import io.chainwatch.model.PolicySnapshot;
import io.chainwatch.model.CiliumNodeSnapshot;
import io.chainwatch.model.EndpointSnapshot;
import io.chainwatch.model.NamespaceSnapshot;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.health.WatcherMetrics;
import io.chainwatch.watcher.view.AgentIdentity;
import io.chainwatch.watcher.view.ClusterState;
import io.chainwatch.watcher.view.Projections;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one informer per watched kind (Pods, CiliumEndpoints and PodDisruptionBudgets in all namespaces, Nodes,
 * Namespaces, CiliumNodes, and the cilium-config ConfigMap) and feeds each into the cluster view through a {@link SnapshotItemStore}.
 *
 * <p>Objects are decoded generically, lists are paged, and list or watch failures are retried with the client's
 * backoff, counted and logged rather than stopping the informer.
 */
public final class ClusterWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterWatcher.class);
  /** Page size of the initial lists, so a large cluster never arrives as one response. */
  static final long LIST_PAGE_SIZE = 500;

  private final KubernetesClient client;
  private final ClusterState state;
  private final WatcherMetrics metrics;
  /** A watch down at least this long is followed by a relist. */
  static final java.time.Duration RELIST_AFTER = java.time.Duration.ofSeconds(5);

  private final Map<String, SharedIndexInformer<GenericKubernetesResource>> informers =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, java.util.function.Supplier<SharedIndexInformer<GenericKubernetesResource>>> factories =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, Long> watchLostAt = new java.util.concurrent.ConcurrentHashMap<>();

  public ClusterWatcher(KubernetesClient client, ClusterState state, WatcherMetrics metrics) {
    this.client = client;
    this.state = state;
    this.metrics = metrics;
  }

  private static ResourceDefinitionContext kind(String group, String version, String kind, String plural,
      boolean namespaced) {
    return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
        .withPlural(plural).withNamespaced(namespaced).build();
  }

  /** Creates and starts every informer. The future completes when all have listed once (synced). */
  public CompletableFuture<Void> start() {
    AgentIdentity agents = state.agentIdentity();
    add(kind("", "v1", "Pod", "pods", true), PodSnapshot.class, Projections::pod,
        ctx -> client.genericKubernetesResources(ctx).inAnyNamespace());
    add(kind("", "v1", "Node", "nodes", false), NodeSnapshot.class, Projections::node,
        ctx -> client.genericKubernetesResources(ctx));
    add(kind("", "v1", "Namespace", "namespaces", false), NamespaceSnapshot.class, Projections::namespace,
        ctx -> client.genericKubernetesResources(ctx));
    add(kind("cilium.io", "v2", "CiliumEndpoint", "ciliumendpoints", true), EndpointSnapshot.class,
        Projections::endpoint, ctx -> client.genericKubernetesResources(ctx).inAnyNamespace());
    add(kind("cilium.io", "v2", "CiliumNode", "ciliumnodes", false), CiliumNodeSnapshot.class,
        Projections::ciliumNode, ctx -> client.genericKubernetesResources(ctx));
    // cilium-config and the DaemonSets: in Cilium's namespace when it is pinned, else in every namespace (the
    // ConfigMap by name only: RBAC grants list and watch on that one name, through a field selector)
    if (agents.namespacePinned()) {
      add(kind("", "v1", "ConfigMap", "configmaps", true), CiliumConfigSnapshot.class, Projections::ciliumConfig,
          ctx -> client.genericKubernetesResources(ctx).inNamespace(agents.namespace())
              .withName(agents.configMapName()));
      add(kind("apps", "v1", "DaemonSet", "daemonsets", true), DaemonSetSnapshot.class, Projections::daemonSet,
          ctx -> client.genericKubernetesResources(ctx).inNamespace(agents.namespace()));
    } else {
      add(kind("", "v1", "ConfigMap", "configmaps", true), CiliumConfigSnapshot.class, Projections::ciliumConfig,
          ctx -> client.genericKubernetesResources(ctx).inAnyNamespace()
              .withField("metadata.name", agents.configMapName()));
      add(kind("apps", "v1", "DaemonSet", "daemonsets", true), DaemonSetSnapshot.class, Projections::daemonSet,
          ctx -> client.genericKubernetesResources(ctx).inAnyNamespace());
    }
    add(kind("cilium.io", "v2", "CiliumNetworkPolicy", "ciliumnetworkpolicies", true), PolicySnapshot.class,
        Projections::policy, ctx -> client.genericKubernetesResources(ctx).inAnyNamespace());
    add(kind("cilium.io", "v2", "CiliumClusterwideNetworkPolicy", "ciliumclusterwidenetworkpolicies", false),
        PolicySnapshot.class, Projections::policy, ctx -> client.genericKubernetesResources(ctx));
    add(kind("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true), BudgetSnapshot.class,
        Projections::budget, ctx -> client.genericKubernetesResources(ctx).inAnyNamespace());

    List<CompletableFuture<Void>> started = new ArrayList<>();
    informers.forEach((kind, informer) -> {
      // read through the map: a relist replaces the informer of a kind
      metrics.gauge("chainwatch_informer_synced", "1 once the informer has listed", "kind", kind,
          () -> informers.get(kind).hasSynced() ? 1 : 0);
      metrics.gauge("chainwatch_informer_watching", "1 while the informer's watch is open", "kind", kind,
          () -> informers.get(kind).isWatching() ? 1 : 0);
      metrics.gauge("chainwatch_view_objects", "Snapshots held in the view", "kind", kind,
          () -> state.sizes().getOrDefault(kind, 0));
      started.add(informer.start().toCompletableFuture());
    });
    return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new))
        .thenRun(() -> LOG.info("All informers synced: {}", state.sizes()));
  }

  private <S extends Snapshot> void add(ResourceDefinitionContext context, Class<S> type,
      Function<GenericKubernetesResource, S> projector,
      Function<ResourceDefinitionContext, Informable<GenericKubernetesResource>> source) {
    String kind = context.getKind();
    factories.put(kind, () -> create(context, type, projector, source));
    informers.put(kind, create(context, type, projector, source));
  }

  private <S extends Snapshot> SharedIndexInformer<GenericKubernetesResource> create(ResourceDefinitionContext context,
      Class<S> type, Function<GenericKubernetesResource, S> projector,
      Function<ResourceDefinitionContext, Informable<GenericKubernetesResource>> source) {
    String kind = context.getKind();
    SharedIndexInformer<GenericKubernetesResource> informer =
        source.apply(context).withLimit(LIST_PAGE_SIZE).runnableInformer(0);
    informer.removeNamespaceIndex();
    informer.itemStore(new SnapshotItemStore<>(state, type, apiVersionOf(context), kind, projector, metrics));
    informer.exceptionHandler((started, failure) -> {
      metrics.informerError(kind);
      LOG.warn("{} informer: {} ({}); retrying", kind, failure.getMessage(),
          started ? "watch failed" : "initial list failed, is the resource served and may chainwatch list it?");
      return true;
    });
    return informer;
  }

  /**
   * Relists a kind whose watch came back after being down for {@link #RELIST_AFTER} or more. A watch resumed from an
   * old resourceVersion on a restarted or restored API server can miss deletes (the server may not answer 410 Gone);
   * a fresh list removes every snapshot the server no longer has. Call it every few seconds.
   */
  public void relistAfterOutages() {
    long now = System.nanoTime();
    for (String kind : List.copyOf(informers.keySet())) {
      SharedIndexInformer<GenericKubernetesResource> informer = informers.get(kind);
      if (!informer.hasSynced()) {
        continue;
      }
      if (!informer.isWatching()) {
        watchLostAt.putIfAbsent(kind, now);
        continue;
      }
      Long lost = watchLostAt.remove(kind);
      if (lost != null && now - lost >= RELIST_AFTER.toNanos()) {
        LOG.warn("{} watch was down for {} s: relisting, so objects deleted meanwhile leave the view", kind,
            (now - lost) / 1_000_000_000L);
        metrics.informerError(kind);
        informer.stop();
        SharedIndexInformer<GenericKubernetesResource> fresh = factories.get(kind).get();
        informers.put(kind, fresh);
        fresh.start();
      }
    }
  }

  private static String apiVersionOf(ResourceDefinitionContext context) {
    return context.getGroup().isEmpty() ? context.getVersion() : context.getGroup() + "/" + context.getVersion();
  }

  /** True when every informer has listed at least once. */
  public boolean allSynced() {
    return !informers.isEmpty() && informers.values().stream().allMatch(SharedIndexInformer::hasSynced);
  }

  /** Kinds whose informer has not synced yet. */
  public List<String> notSynced() {
    List<String> pending = new ArrayList<>();
    informers.forEach((kind, informer) -> {
      if (!informer.hasSynced()) {
        pending.add(kind);
      }
    });
    return pending;
  }

  /** Kinds whose informer has synced but has no open watch right now (reconnecting, relisting). */
  public List<String> notWatching() {
    List<String> kinds = new ArrayList<>();
    informers.forEach((kind, informer) -> {
      if (informer.hasSynced() && !informer.isWatching()) {
        kinds.add(kind);
      }
    });
    return kinds;
  }

  /** Kinds whose informer stopped for good (it will not retry). */
  public List<String> stopped() {
    List<String> dead = new ArrayList<>();
    informers.forEach((kind, informer) -> {
      if (!informer.isRunning() && informer.hasSynced()) {
        dead.add(kind);
      }
    });
    return dead;
  }

  @Override
  public void close() {
    informers.values().forEach(SharedIndexInformer::stop);
  }
}
