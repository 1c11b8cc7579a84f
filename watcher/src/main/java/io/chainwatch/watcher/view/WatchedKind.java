package io.chainwatch.watcher.view;

import io.chainwatch.model.Snapshot;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One kind of object chainwatch watches, declared once: where it lives, how it is projected into the view, which of
 * its fields the decoder keeps and which RBAC rule reading it needs. Informers, the view's tables and gauges, the
 * decoder's keep list, {@code scan}'s reader, the benchmark's fake API server and the chart's RBAC test all derive
 * from {@link WatchedKinds#ALL}.
 *
 * @param group the API group, empty for the core group
 * @param version the version the informer lists
 * @param kind the kind
 * @param plural the resource name (RBAC and URL paths)
 * @param scope where the informer lists it
 * @param snapshotType what the view keeps of it
 * @param projection object to snapshot; throws {@link ProjectionException} naming the field
 * @param keep the fields beyond {@code apiVersion}, {@code kind} and the metadata the projection reads, by path
 *     ({@code true} keeps a whole subtree): the decoder drops everything else
 * @param <S> the snapshot type
 */
public record WatchedKind<S extends Snapshot>(String group, String version, String kind, String plural, Scope scope,
    Class<S> snapshotType, Function<GenericKubernetesResource, S> projection, Map<String, Object> keep) {

  /** Where an informer lists a kind. */
  public enum Scope {
    /** A cluster-scoped kind. */
    CLUSTER,
    /** Namespaced, listed in every namespace. */
    ALL_NAMESPACES,
    /** Namespaced, listed in Cilium's namespace when it is pinned, else in every namespace. */
    CILIUM_NAMESPACE,
    /** The cilium-config ConfigMap alone: by name in Cilium's namespace, or by a name field selector everywhere. */
    CILIUM_CONFIG,
    /** Events in every namespace, only the kubelet's {@code FailedCreatePodSandBox} (a field selector on reason). */
    POD_SANDBOX_FAILURES
  }

  public WatchedKind {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(plural, "plural");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(snapshotType, "snapshotType");
    Objects.requireNonNull(projection, "projection");
    keep = Map.copyOf(keep);
  }

  public boolean namespaced() {
    return scope != Scope.CLUSTER;
  }

  /** {@code v1}, {@code cilium.io/v2}. */
  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** The collection's path across all namespaces: {@code /api/v1/pods}, {@code /apis/cilium.io/v2/ciliumnodes}. */
  public String collectionPath() {
    return (group.isEmpty() ? "/api/" : "/apis/" + group + "/") + version + "/" + plural;
  }

  /**
   * Whether an object of {@code apiVersion} and {@code kind} (from a dump) is of this kind. Any version of the group
   * counts: a dump may hold an older served version, and the projections read fields every version has.
   */
  public boolean matches(String objectApiVersion, String objectKind) {
    if (objectApiVersion == null || !kind.equals(objectKind)) {
      return false;
    }
    int slash = objectApiVersion.indexOf('/');
    String objectGroup = slash < 0 ? "" : objectApiVersion.substring(0, slash);
    return group.equals(objectGroup);
  }
}
