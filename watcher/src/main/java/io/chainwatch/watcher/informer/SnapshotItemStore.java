package io.chainwatch.watcher.informer;

import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.health.WatcherMetrics;
import io.chainwatch.watcher.view.ClusterState;
import io.chainwatch.watcher.view.SnapshotTable;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The informer's item store, backed by the cluster view: each object is projected to its slim snapshot on arrival and
 * the full object is dropped. The informer only needs keys and resourceVersions back, so it gets skeleton objects.
 *
 * <p>{@link #isFullState()} is false, which makes the informer hand the full object to the store on every add and
 * update instead of reading it back. A projection failure is counted and logged, never thrown: the informer keeps
 * running, and the previous snapshot (if any) stays, because forgetting an endpoint could make its pod look unmanaged.
 */
final class SnapshotItemStore<S extends Snapshot> implements ItemStore<GenericKubernetesResource> {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotItemStore.class);

  private final ClusterState state;
  private final Class<S> type;
  private final String apiVersion;
  private final String kind;
  private final Function<GenericKubernetesResource, S> projector;
  private final WatcherMetrics metrics;

  SnapshotItemStore(ClusterState state, Class<S> type, String apiVersion, String kind,
      Function<GenericKubernetesResource, S> projector, WatcherMetrics metrics) {
    this.state = state;
    this.type = type;
    this.apiVersion = apiVersion;
    this.kind = kind;
    this.projector = projector;
    this.metrics = metrics;
  }

  private SnapshotTable<S> table() {
    return state.table(type);
  }

  @Override
  public String getKey(GenericKubernetesResource object) {
    return Cache.metaNamespaceKeyFunc(object);
  }

  @Override
  public GenericKubernetesResource put(String key, GenericKubernetesResource object) {
    String resourceVersion = object.getMetadata() == null ? "" : object.getMetadata().getResourceVersion();
    SnapshotTable.Entry<S> previous = table().entry(key);
    S snapshot;
    try {
      snapshot = projector.apply(object);
    } catch (RuntimeException e) {
      metrics.projectionError(kind);
      LOG.warn("Skipping {} {}: {}{}", kind, key, e.getMessage(),
          previous == null ? "" : " (keeping its last good state)");
      if (previous != null) {
        state.put(key, resourceVersion, previous.snapshot());
      }
      return skeleton(previous);
    }
    return skeleton(state.put(key, resourceVersion, snapshot));
  }

  @Override
  public GenericKubernetesResource remove(String key) {
    return skeleton(state.remove(type, key));
  }

  @Override
  public Stream<String> keySet() {
    return table().keys();
  }

  @Override
  public Stream<GenericKubernetesResource> values() {
    return table().entries().map(this::skeleton);
  }

  @Override
  public int size() {
    return table().size();
  }

  @Override
  public GenericKubernetesResource get(String key) {
    return skeleton(table().entry(key));
  }

  @Override
  public boolean isFullState() {
    return false;
  }

  private GenericKubernetesResource skeleton(SnapshotTable.Entry<S> entry) {
    if (entry == null) {
      return null;
    }
    ObjectMeta meta = new ObjectMeta();
    meta.setName(entry.snapshot().ref().name());
    meta.setNamespace(entry.snapshot().ref().namespace());
    meta.setResourceVersion(entry.resourceVersion());
    GenericKubernetesResource skeleton = new GenericKubernetesResource();
    skeleton.setApiVersion(apiVersion);
    skeleton.setKind(kind);
    skeleton.setMetadata(meta);
    return skeleton;
  }
}
