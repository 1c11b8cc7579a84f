package io.chainwatch.watcher.view;

import io.chainwatch.model.BudgetSnapshot;
import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.DaemonSetSnapshot;
import io.chainwatch.model.PolicySnapshot;
import io.chainwatch.model.CiliumNodeSnapshot;
import io.chainwatch.model.EndpointSnapshot;
import io.chainwatch.model.NamespaceSnapshot;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PodSnapshot;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Read-only view of the cluster as slim snapshots: what detectors see. */
public interface ClusterView {
  Optional<PodSnapshot> pod(String namespace, String name);

  Collection<PodSnapshot> pods();

  /** Pods bound to {@code node}. */
  Collection<PodSnapshot> podsOnNode(String node);

  Optional<NodeSnapshot> node(String name);

  Collection<NodeSnapshot> nodes();

  /** The CiliumEndpoint with this namespace and name (Cilium names endpoints after their pods). */
  Optional<EndpointSnapshot> endpoint(String namespace, String name);

  int endpointCount();

  /**
   * Whether CiliumEndpoints were never listed, so that none in the view proves nothing: a dump without them. The
   * informers list them before evaluation starts, so in {@code run} this is false.
   */
  boolean endpointsUnlisted();

  Optional<NamespaceSnapshot> namespace(String name);

  Optional<CiliumNodeSnapshot> ciliumNode(String name);

  /** The workloads that own pods, {@code Kind namespace/name} (a ReplicaSet's pods count for its Deployment). */
  java.util.Set<String> workloads();

  /** Where Cilium runs (pinned or found), from which objects, and whether two installs disagree. */
  CiliumInstall cilium();

  /** The cilium-config ConfigMap of the Cilium install found (none on a conflict), when it exists. */
  Optional<CiliumConfigSnapshot> ciliumConfig();

  /** Cilium agent pods in the view, on any node. */
  int ciliumAgentCount();

  /** Cilium agent pods bound to {@code node} (the configured namespace and label). */
  List<PodSnapshot> ciliumAgentsOn(String node);

  /** CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies. */
  Collection<PolicySnapshot> policies();

  /** DaemonSets in Cilium's namespace (Cilium itself and the base CNI's agents). */
  Collection<DaemonSetSnapshot> daemonSets();

  /** PodDisruptionBudgets in every namespace (few: one per protected workload). */
  Collection<BudgetSnapshot> budgets();

  /** When this view saw the taint {@code taintKey} leave {@code node}; empty when it did not (or reads a dump). */
  Optional<java.time.Instant> taintRemovedAt(String node, String taintKey);

  /** Whether the view follows the cluster's changes ({@code run}) rather than a dump read once ({@code scan}). */
  boolean live();

  /** The kubelets' {@code FailedCreatePodSandBox} Events (the API server keeps Events for an hour by default). */
  Collection<io.chainwatch.model.SandboxFailureSnapshot> sandboxFailures();

  /** The sandbox failures about one pod (an index: no scan of every Event). */
  List<io.chainwatch.model.SandboxFailureSnapshot> sandboxFailuresOf(String namespace, String pod);

  /** Whether {@code pod} is a Cilium agent pod (in the configured namespace, with the configured label). */
  boolean isCiliumAgent(PodSnapshot pod);
}
