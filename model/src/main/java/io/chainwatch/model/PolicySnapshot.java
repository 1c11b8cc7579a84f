package io.chainwatch.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the deployment doctor needs to know about a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy: its L7
 * rules and which pods it selects.
 *
 * @param namespace the policy's namespace, {@code null} for a clusterwide policy
 * @param name name
 * @param l7 the L7 features its rules use: {@code dns}, {@code toFQDNs}, {@code http}, {@code kafka}, {@code l7proto}
 * @param selectors one endpoint selector per rule, as label requirements ({@code k8s:} prefixes removed)
 */
public record PolicySnapshot(String namespace, String name, List<String> l7,
    List<List<BudgetSnapshot.LabelRequirement>> selectors) implements Snapshot {
  public PolicySnapshot {
    Objects.requireNonNull(name, "name");
    l7 = List.copyOf(l7);
    selectors = selectors.stream().map(List::copyOf).toList();
  }

  @Override
  public ResourceRef ref() {
    return new ResourceRef(namespace == null ? "CiliumClusterwideNetworkPolicy" : "CiliumNetworkPolicy", namespace,
        name);
  }

  /** Whether a rule of this policy selects {@code pod}: same namespace (unless clusterwide), every requirement met. */
  public boolean selects(PodSnapshot pod) {
    if (namespace != null && !namespace.equals(pod.namespace())) {
      return false;
    }
    Map<String, String> labels = new java.util.HashMap<>(pod.labels());
    labels.put("io.kubernetes.pod.namespace", pod.namespace());
    return selectors.stream().anyMatch(rule -> rule.stream().allMatch(requirement -> requirement.matches(labels)));
  }
}
