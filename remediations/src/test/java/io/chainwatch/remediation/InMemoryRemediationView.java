package io.chainwatch.remediation;

import io.chainwatch.model.BudgetSnapshot;
import io.chainwatch.model.NamespaceSnapshot;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PodSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A view the test edits directly: pods, which pods have their CiliumEndpoint, namespaces, budgets, node count. */
public final class InMemoryRemediationView implements RemediationView {
  private final Map<String, PodSnapshot> pods = new ConcurrentHashMap<>();
  private final Set<String> podUidsWithEndpoint = ConcurrentHashMap.newKeySet();
  private final Map<String, NamespaceSnapshot> namespaces = new ConcurrentHashMap<>();
  private final List<BudgetSnapshot> budgets = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile int nodeCount = 10;

  public InMemoryRemediationView add(PodSnapshot pod, boolean withEndpoint) {
    pods.put(pod.namespace() + "/" + pod.name(), pod);
    if (withEndpoint) {
      podUidsWithEndpoint.add(pod.uid());
    }
    return this;
  }

  public void remove(PodSnapshot pod) {
    pods.remove(pod.namespace() + "/" + pod.name());
  }

  public void addEndpoint(PodSnapshot pod) {
    podUidsWithEndpoint.add(pod.uid());
  }

  public void add(NamespaceSnapshot namespace) {
    namespaces.put(namespace.name(), namespace);
  }

  public void add(BudgetSnapshot budget) {
    budgets.add(budget);
  }

  private final Map<String, NodeSnapshot> nodes = new ConcurrentHashMap<>();

  public void add(NodeSnapshot node) {
    nodes.put(node.name(), node);
  }

  @Override
  public Optional<NodeSnapshot> node(String name) {
    return Optional.ofNullable(nodes.get(name));
  }

  @Override
  public List<NodeSnapshot> nodesAnnotated(String key) {
    return nodes.values().stream().filter(node -> node.annotations().containsKey(key)).toList();
  }

  public void nodeCount(int nodes) {
    nodeCount = nodes;
  }

  @Override
  public Optional<PodSnapshot> pod(String namespace, String name) {
    return Optional.ofNullable(pods.get(namespace + "/" + name));
  }

  @Override
  public Optional<NamespaceSnapshot> namespace(String name) {
    return Optional.ofNullable(namespaces.get(name));
  }

  @Override
  public boolean hasEndpoint(PodSnapshot pod) {
    return podUidsWithEndpoint.contains(pod.uid());
  }

  @Override
  public int nodeCount() {
    return nodeCount;
  }

  @Override
  public List<BudgetSnapshot> budgetsFor(PodSnapshot pod) {
    return budgets.stream().filter(budget -> budget.governs(pod)).toList();
  }

  @Override
  public Map<String, List<PodSnapshot>> podsByOwner(Set<String> ownerKeys) {
    Map<String, List<PodSnapshot>> byOwner = new HashMap<>();
    for (PodSnapshot pod : pods.values()) {
      if (pod.ownerKey() != null && ownerKeys.contains(pod.ownerKey())) {
        byOwner.computeIfAbsent(pod.ownerKey(), key -> new ArrayList<>()).add(pod);
      }
    }
    return byOwner;
  }
}
