package io.chainwatch.watcher.view;

import io.chainwatch.model.BudgetSnapshot;
import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.CiliumNodeSnapshot;
import io.chainwatch.model.DaemonSetSnapshot;
import io.chainwatch.model.EndpointSnapshot;
import io.chainwatch.model.NamespaceSnapshot;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.PolicySnapshot;
import io.chainwatch.model.Snapshot;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Every kind chainwatch watches. A new kind is one line here, its projection and its snapshot record. */
public final class WatchedKinds {
  private WatchedKinds() {}

  public static final List<WatchedKind<?>> ALL = List.of(
      new WatchedKind<>("", "v1", "Pod", "pods", WatchedKind.Scope.ALL_NAMESPACES, PodSnapshot.class,
          Projections::pod, Map.of(
              "spec", Map.of("nodeName", true, "hostNetwork", true, "tolerations", true,
                  "initContainers", Map.of("name", true)),
              "status", Map.of("phase", true, "startTime", true, "conditions", true, "podIP", true))),
      new WatchedKind<>("", "v1", "Node", "nodes", WatchedKind.Scope.CLUSTER, NodeSnapshot.class,
          Projections::node, Map.of(
              "spec", Map.of("taints", true, "podCIDR", true, "podCIDRs", true),
              "status", Map.of("conditions", true, "nodeInfo", Map.of("osImage", true,
                  "kernelVersion", true, "kubeletVersion", true)))),
      new WatchedKind<>("", "v1", "Namespace", "namespaces", WatchedKind.Scope.CLUSTER, NamespaceSnapshot.class,
          Projections::namespace, Map.of()),
      new WatchedKind<>("cilium.io", "v2", "CiliumEndpoint", "ciliumendpoints", WatchedKind.Scope.ALL_NAMESPACES,
          EndpointSnapshot.class, Projections::endpoint, Map.of("status", Map.of("state", true,
              "networking", Map.of("addressing", true), "identity", Map.of("id", true)))),
      new WatchedKind<>("cilium.io", "v2", "CiliumNode", "ciliumnodes", WatchedKind.Scope.CLUSTER,
          CiliumNodeSnapshot.class, Projections::ciliumNode, Map.of(
              "spec", Map.of("ipam", Map.of("podCIDRs", true, "pool", true, "pools", true)),
              "status", Map.of("ipam", Map.of("used", true, "operator-status", true)))),
      new WatchedKind<>("", "v1", "ConfigMap", "configmaps", WatchedKind.Scope.CILIUM_CONFIG,
          CiliumConfigSnapshot.class, Projections::ciliumConfig, Map.of("data", true)),
      new WatchedKind<>("apps", "v1", "DaemonSet", "daemonsets", WatchedKind.Scope.CILIUM_NAMESPACE,
          DaemonSetSnapshot.class, Projections::daemonSet, Map.of("spec", Map.of("template", Map.of("spec", Map.of(
              "initContainers", Map.of("name", true), "containers", Map.of("name", true, "image", true)))))),
      new WatchedKind<>("cilium.io", "v2", "CiliumNetworkPolicy", "ciliumnetworkpolicies",
          WatchedKind.Scope.ALL_NAMESPACES, PolicySnapshot.class, Projections::policy, policyFields()),
      new WatchedKind<>("cilium.io", "v2", "CiliumClusterwideNetworkPolicy", "ciliumclusterwidenetworkpolicies",
          WatchedKind.Scope.CLUSTER, PolicySnapshot.class, Projections::policy, policyFields()),
      new WatchedKind<>("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets",
          WatchedKind.Scope.ALL_NAMESPACES, BudgetSnapshot.class, Projections::budget, Map.of(
              "spec", Map.of("selector", true), "status", Map.of("disruptionsAllowed", true))),
      new WatchedKind<>("", "v1", "Event", "events", WatchedKind.Scope.POD_SANDBOX_FAILURES,
          io.chainwatch.model.SandboxFailureSnapshot.class, Projections::sandboxFailure, Map.of(
              "involvedObject", true, "reason", true, "message", true, "source", true, "count", true,
              "lastTimestamp", true, "eventTime", true, "series", true)));

  private static Map<String, Object> policyFields() {
    return Map.of("spec", Map.of("endpointSelector", true, "egress", true, "ingress", true), "specs", true);
  }

  /** The declaration an object of a dump or a watch belongs to, if chainwatch reads it. */
  public static Optional<WatchedKind<?>> of(String apiVersion, String kind) {
    for (WatchedKind<?> watched : ALL) {
      if (watched.matches(apiVersion, kind)) {
        return Optional.of(watched);
      }
    }
    return Optional.empty();
  }

  /** The kinds whose snapshots go to the table of {@code type} (two policy kinds share one). */
  public static List<WatchedKind<?>> ofSnapshotType(Class<? extends Snapshot> type) {
    return ALL.stream().filter(k -> k.snapshotType() == type).toList();
  }

  /** Every snapshot type the view keeps a table for. */
  public static Set<Class<? extends Snapshot>> snapshotTypes() {
    return ALL.stream().<Class<? extends Snapshot>>map(WatchedKind::snapshotType)
        .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
  }

  /** The union of every kind's kept fields: the decoder does not know an object's kind before it has read it. */
  public static Map<String, Object> keptFields() {
    Map<String, Object> union = new LinkedHashMap<>();
    for (WatchedKind<?> watched : ALL) {
      merge(union, watched.keep());
    }
    return union;
  }

  @SuppressWarnings("unchecked")
  private static void merge(Map<String, Object> into, Map<String, Object> from) {
    from.forEach((field, rule) -> {
      Object existing = into.get(field);
      if (existing == null) {
        into.put(field, rule instanceof Map<?, ?> map ? copy((Map<String, Object>) map) : rule);
      } else if (Boolean.TRUE.equals(existing)) {
        return; // the whole subtree is kept already
      } else if (existing instanceof Map<?, ?> && rule instanceof Map<?, ?> map) {
        merge((Map<String, Object>) existing, (Map<String, Object>) map);
      } else {
        into.put(field, true); // a whole subtree, or shapes that do not merge: keep it all
      }
    });
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> copy(Map<String, Object> map) {
    Map<String, Object> copy = new LinkedHashMap<>();
    map.forEach((field, rule) -> copy.put(field, rule instanceof Map<?, ?> nested
        ? copy((Map<String, Object>) nested) : rule));
    return copy;
  }
}
