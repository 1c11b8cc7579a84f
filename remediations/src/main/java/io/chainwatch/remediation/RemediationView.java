package io.chainwatch.remediation;

import io.chainwatch.model.BudgetSnapshot;
import io.chainwatch.model.NamespaceSnapshot;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PodSnapshot;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** What remediation reads from the cluster view. The watcher implements it over its informer-fed view. */
public interface RemediationView {
  Optional<PodSnapshot> pod(String namespace, String name);

  Optional<NamespaceSnapshot> namespace(String name);

  /** Whether the pod has the CiliumEndpoint created for it (same UID), i.e. it went through the full chain. */
  boolean hasEndpoint(PodSnapshot pod);

  int nodeCount();

  Optional<NodeSnapshot> node(String name);

  /** The nodes that carry annotation {@code key} (chainwatch's own, so few). */
  List<NodeSnapshot> nodesAnnotated(String key);

  /** PodDisruptionBudgets that govern {@code pod}. */
  List<BudgetSnapshot> budgetsFor(PodSnapshot pod);

  /** The pods of each owner ({@link PodSnapshot#ownerKey()}) asked for, found in one pass. */
  Map<String, List<PodSnapshot>> podsByOwner(Set<String> ownerKeys);
}
