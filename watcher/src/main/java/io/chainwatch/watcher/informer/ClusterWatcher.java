package io.chainwatch.watcher.informer;

import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.health.WatcherMetrics;
import io.chainwatch.watcher.view.AgentIdentity;
import io.chainwatch.watcher.view.ClusterState;
import io.chainwatch.watcher.view.WatchedKind;
import io.chainwatch.watcher.view.WatchedKinds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.impl.DefaultSharedIndexInformer;
import io.fabric8.kubernetes.client.informers.impl.ListerWatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one informer per watched kind ({@link WatchedKinds#ALL}, each where its scope says) and feeds each into the
 * cluster view through a {@link SnapshotItemStore}.
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
  /**
   * The executor of the informers and of their client: what it is handed runs at once, on the thread that hands it
   * over. Nothing that blocks may run through it: no handler may be added to these informers or their watches.
   *
   * <ul>
   *   <li>The informers: fabric8 passes every notification through it, each listed object's add notification too,
   *       even with no handler registered (chainwatch registers none: the item store is the view); on the client's
   *       cached pool each was a thread hand-off through a SynchronousQueue, about 2.5 s of CPU in a 150k-pod sync,
   *       and 1.2 s on one thread of its own. Run in place, a notification is a loop over no handler.
   *   <li>Their client's watches: fabric8 8 hands each watch frame from the thread that received it (an event loop of
   *       the client's HTTP transport) to a per-watch serial executor on the client's executor, to keep Jackson's
   *       first, slow deserialisations off that loop, and asks the socket for the next frame only once the frame is
   *       done: two thread hand-offs per event, one frame at a time (7 context switches per event in the pipeline
   *       benchmark's process, 2 in place). Frames are read by {@link PrunedJson} (no warm-up: about 10 µs for a pod
   *       of 8 KB) into a view that never waits, so each is decoded and stored on the thread that received it, as
   *       fabric8 7 did. The client's other use of it is a watch's reconnect timer, which then runs on fabric8's
   *       scheduler thread.
   * </ul>
   *
   * <p>fabric8 wraps it in a serial executor per informer and per watch, which clears any interrupt its shutdown
   * sends a running task before the task's thread goes on: an event loop is never left interrupted.
   */
  public static final java.util.concurrent.Executor IN_PLACE = Runnable::run;

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
    for (WatchedKind<?> watched : WatchedKinds.ALL) {
      add(watched);
    }

    List<CompletableFuture<Void>> started = new ArrayList<>();
    informers.forEach((kind, informer) -> {
      // read through the map: a relist replaces the informer of a kind
      metrics.gauge("chainwatch_informer_synced", "1 once the informer has listed", "kind", kind,
          () -> informers.get(kind).hasSynced() ? 1 : 0);
      metrics.gauge("chainwatch_informer_watching", "1 while the informer's watch is open", "kind", kind,
          () -> informers.get(kind).isWatching() ? 1 : 0);
      WatchedKind<?> watched = WatchedKinds.ALL.stream().filter(k -> k.kind().equals(kind)).findFirst().orElseThrow();
      metrics.gauge("chainwatch_view_objects", "Snapshots held in the view", "kind", kind, () -> state.size(watched));
      metrics.kindCounted(kind);
      started.add(informer.start().toCompletableFuture());
    });
    return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new))
        .thenRun(() -> LOG.info("All informers synced: {}", state.sizes()));
  }

  private <S extends Snapshot> void add(WatchedKind<S> watched) {
    ResourceDefinitionContext context = new ResourceDefinitionContext.Builder().withGroup(watched.group())
        .withVersion(watched.version()).withKind(watched.kind()).withPlural(watched.plural())
        .withNamespaced(watched.namespaced()).build();
    factories.put(watched.kind(), () -> create(watched, context));
    informers.put(watched.kind(), create(watched, context));
  }

  /** Where the informer of a kind lists: every namespace, the cluster, or only what Cilium's namespace needs. */
  private Informable<GenericKubernetesResource> source(WatchedKind<?> watched, ResourceDefinitionContext context) {
    AgentIdentity agents = state.agentIdentity();
    var resources = client.genericKubernetesResources(context);
    return switch (watched.scope()) {
      case CLUSTER -> resources;
      case ALL_NAMESPACES -> resources.inAnyNamespace();
      case CILIUM_NAMESPACE -> agents.namespacePinned() ? resources.inNamespace(agents.namespace())
          : resources.inAnyNamespace();
      // by name only: RBAC grants list and watch on that one name, through a field selector when not pinned
      case CILIUM_CONFIG -> agents.namespacePinned()
          ? resources.inNamespace(agents.namespace()).withName(agents.configMapName())
          : resources.inAnyNamespace().withField("metadata.name", agents.configMapName());
      // a cluster's Events run to thousands a minute; only sandbox failures say why a pod cannot start
      case POD_SANDBOX_FAILURES -> resources.inAnyNamespace()
          .withField("reason", io.chainwatch.model.SandboxFailureSnapshot.REASON);
    };
  }

  private <S extends Snapshot> SharedIndexInformer<GenericKubernetesResource> create(WatchedKind<S> watched,
      ResourceDefinitionContext context) {
    String kind = watched.kind();
    SharedIndexInformer<GenericKubernetesResource> informer =
        informer(source(watched, context).withLimit(LIST_PAGE_SIZE));
    informer.removeNamespaceIndex();
    informer.itemStore(new SnapshotItemStore<>(state, watched.snapshotType(), watched.apiVersion(), kind,
        watched.projection(), metrics));
    informer.exceptionHandler((started, failure) -> {
      metrics.informerError(kind);
      LOG.warn("{} informer: {} ({}); retrying", kind, failure.getMessage(),
          started ? "watch failed" : "initial list failed, is the resource served and may chainwatch list it?");
      return true;
    });
    return informer;
  }

  /**
   * The informer fabric8's {@code runnableInformer(0)} builds, with {@link #IN_PLACE} as its executor. The
   * operations of fabric8's client are its lister-watchers; should a later client hand out something else, the
   * informer is built the default way.
   */
  @SuppressWarnings("unchecked")
  private SharedIndexInformer<GenericKubernetesResource> informer(Informable<GenericKubernetesResource> source) {
    if (source instanceof ListerWatcher<?, ?> lister) {
      return new DefaultSharedIndexInformer<>(GenericKubernetesResource.class,
          (ListerWatcher<GenericKubernetesResource, GenericKubernetesResourceList>) lister, 0, IN_PLACE);
    }
    LOG.debug("{} is not a ListerWatcher: its informer runs on the client's executor", source.getClass().getName());
    return source.runnableInformer(0);
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
      if (informer.hasSynced() && !watching(informer)) {
        kinds.add(kind);
      }
    });
    return kinds;
  }

  /**
   * Whether the informer has an open watch. fabric8's reflector can throw while it swaps watches during a reconnect
   * ({@code Optional.of(null)} in {@code Reflector.isWatching}): that moment counts as not watching, and a readiness
   * probe asking then gets 503, not an exception.
   */
  private static boolean watching(SharedIndexInformer<?> informer) {
    try {
      return informer.isWatching();
    } catch (RuntimeException e) {
      return false;
    }
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
