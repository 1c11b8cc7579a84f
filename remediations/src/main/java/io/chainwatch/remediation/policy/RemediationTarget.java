package io.chainwatch.remediation.policy;

import io.chainwatch.model.BudgetSnapshot;
import io.chainwatch.model.NamespaceSnapshot;
import io.chainwatch.model.PodSnapshot;
import java.util.List;

/**
 * The facts the policy judges a finding against, read from the cluster view right before deciding.
 *
 * @param pod the pod now, {@code null} when it is gone
 * @param namespace its namespace, {@code null} when unknown
 * @param budgets PodDisruptionBudgets that govern it
 * @param nodeCount nodes in the cluster (the breaker's node share)
 */
public record RemediationTarget(PodSnapshot pod, NamespaceSnapshot namespace, List<BudgetSnapshot> budgets,
    int nodeCount) {
  public RemediationTarget {
    budgets = List.copyOf(budgets);
  }

  /** Names of the budgets, for decisions and pages. */
  public List<String> budgetNames() {
    return budgets.stream().map(BudgetSnapshot::name).toList();
  }
}
