package io.chainwatch.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the remediation policy needs to know about a PodDisruptionBudget ({@code policy/v1}): which pods it governs.
 * The Eviction API enforces the budget itself; chainwatch only needs to know that one applies, to name it and to let
 * the budget pace evictions of its pods.
 *
 * @param namespace budget namespace (it governs pods of this namespace only)
 * @param name budget name
 * @param matchLabels {@code spec.selector.matchLabels}
 * @param matchExpressions {@code spec.selector.matchExpressions}
 * @param disruptionsAllowed {@code status.disruptionsAllowed}, {@code -1} when absent
 */
public record BudgetSnapshot(
    String namespace,
    String name,
    Map<String, String> matchLabels,
    List<LabelRequirement> matchExpressions,
    int disruptionsAllowed)
    implements Snapshot {
  public BudgetSnapshot {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    matchLabels = Map.copyOf(matchLabels);
    matchExpressions = List.copyOf(matchExpressions);
  }

  @Override
  public ResourceRef ref() {
    return new ResourceRef("PodDisruptionBudget", namespace, name);
  }

  /**
   * Whether this budget selects {@code pod}, by the Kubernetes rules: same namespace, every label and expression
   * matches. An empty selector selects every pod of the namespace (policy/v1 semantics).
   */
  public boolean governs(PodSnapshot pod) {
    if (!namespace.equals(pod.namespace())) {
      return false;
    }
    for (Map.Entry<String, String> label : matchLabels.entrySet()) {
      if (!label.getValue().equals(pod.labels().get(label.getKey()))) {
        return false;
      }
    }
    return matchExpressions.stream().allMatch(requirement -> requirement.matches(pod.labels()));
  }

  /**
   * One {@code matchExpressions} entry.
   *
   * @param key label key
   * @param operator {@code In}, {@code NotIn}, {@code Exists} or {@code DoesNotExist}
   * @param values values for In and NotIn
   */
  public record LabelRequirement(String key, String operator, List<String> values) {
    public LabelRequirement {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(operator, "operator");
      values = List.copyOf(values);
    }

    public boolean matches(Map<String, String> labels) {
      String value = labels.get(key);
      return switch (operator) {
        case "In" -> value != null && values.contains(value);
        case "NotIn" -> value == null || !values.contains(value);
        case "Exists" -> labels.containsKey(key);
        case "DoesNotExist" -> !labels.containsKey(key);
        default -> false; // projection rejects unknown operators; never select on one
      };
    }
  }
}
