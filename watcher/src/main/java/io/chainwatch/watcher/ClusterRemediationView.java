package io.chainwatch.watcher;

import io.chainwatch.model.BudgetSnapshot;
import io.chainwatch.model.NamespaceSnapshot;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.remediation.RemediationView;
import io.chainwatch.watcher.view.ClusterView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The cluster view, as remediation reads it. */
final class ClusterRemediationView implements RemediationView {
  private final ClusterView view;

  ClusterRemediationView(ClusterView view) {
    this.view = view;
  }

  @Override
  public Optional<PodSnapshot> pod(String namespace, String name) {
    return view.pod(namespace, name);
  }

  @Override
  public Optional<NamespaceSnapshot> namespace(String name) {
    return view.namespace(name);
  }

  @Override
  public boolean hasEndpoint(PodSnapshot pod) {
    // same rule as the detector: an endpoint without pod owner references (older Cilium) belongs to the pod
    return view.endpoint(pod.namespace(), pod.name())
        .map(endpoint -> endpoint.ownerPodUids().isEmpty() || endpoint.ownedBy(pod.uid())).orElse(false);
  }

  @Override
  public int nodeCount() {
    return view.nodes().size();
  }

  @Override
  public Optional<NodeSnapshot> node(String name) {
    return view.node(name);
  }

  @Override
  public List<NodeSnapshot> nodesAnnotated(String key) {
    return view.nodes().stream().filter(node -> node.annotations().containsKey(key)).toList();
  }

  @Override
  public List<BudgetSnapshot> budgetsFor(PodSnapshot pod) {
    return view.budgets().stream().filter(budget -> budget.governs(pod)).toList();
  }

  @Override
  public Map<String, List<PodSnapshot>> podsByOwner(Set<String> ownerKeys) {
    // One pass over all pods, only while evictions are being followed (a few at a time, once a second).
    Map<String, List<PodSnapshot>> byOwner = new HashMap<>();
    Set<String> namespaces = new java.util.HashSet<>();
    ownerKeys.forEach(key -> namespaces.add(key.substring(0, key.indexOf('/'))));
    for (PodSnapshot pod : view.pods()) {
      if (pod.owner() != null && namespaces.contains(pod.namespace())) {
        String key = pod.ownerKey();
        if (ownerKeys.contains(key)) {
          byOwner.computeIfAbsent(key, k -> new ArrayList<>()).add(pod);
        }
      }
    }
    return byOwner;
  }
}
