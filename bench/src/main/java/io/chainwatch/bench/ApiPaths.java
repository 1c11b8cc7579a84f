package io.chainwatch.bench;

/** The paths fabric8 uses for the kinds chainwatch watches. */
final class ApiPaths {
  static final String PODS = "/api/v1/pods";
  static final String ENDPOINTS = "/apis/cilium.io/v2/ciliumendpoints";
  static final String NODES = "/api/v1/nodes";
  static final String NAMESPACES = "/api/v1/namespaces";
  static final String CILIUM_NODES = "/apis/cilium.io/v2/ciliumnodes";
  /** cilium-config in any namespace (chainwatch finds Cilium; a metadata.name field selector narrows the list). */
  static final String CONFIG_MAPS = "/api/v1/configmaps";
  static final String BUDGETS = "/apis/policy/v1/poddisruptionbudgets";
  static final String DAEMON_SETS = "/apis/apps/v1/daemonsets";
  static final String POLICIES = "/apis/cilium.io/v2/ciliumnetworkpolicies";
  static final String CLUSTER_POLICIES = "/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies";

  private ApiPaths() {}

  /**
   * Serves a cluster: {@code nodes} nodes each with a Ready agent, {@code pods} workload pods and {@code endpoints}
   * CiliumEndpoints (for pods 0..endpoints-1) in the initial lists.
   */
  static FakeApiServer cluster(Workload workload, int nodes, int pods, int endpoints) {
    return new FakeApiServer()
        .serve(NODES, new FakeApiServer.Collection("v1", "NodeList", nodes, i -> Workload.node(i, 1)))
        .serve(PODS, new FakeApiServer.Collection("v1", "PodList", nodes + pods,
            i -> i < nodes ? Workload.agent(i, 1) : workload.pod(i - nodes, 1)))
        .serve(ENDPOINTS, new FakeApiServer.Collection("cilium.io/v2", "CiliumEndpointList", endpoints,
            i -> workload.endpoint(i, 1)))
        .serve(NAMESPACES, new FakeApiServer.Collection("v1", "NamespaceList", Workload.NAMESPACES,
            i -> Workload.namespaceObject(i, 1)))
        .serve(CILIUM_NODES, new FakeApiServer.Collection("cilium.io/v2", "CiliumNodeList", 0, i -> ""))
        .serve(CONFIG_MAPS, new FakeApiServer.Collection("v1", "ConfigMapList", 0, i -> ""))
        .serve(BUDGETS, new FakeApiServer.Collection("policy/v1", "PodDisruptionBudgetList", 0, i -> ""))
        .serve(DAEMON_SETS, new FakeApiServer.Collection("apps/v1", "DaemonSetList", 0, i -> ""))
        .serve(POLICIES, new FakeApiServer.Collection("cilium.io/v2", "CiliumNetworkPolicyList", 0, i -> ""))
        .serve(CLUSTER_POLICIES, new FakeApiServer.Collection("cilium.io/v2", "CiliumClusterwideNetworkPolicyList",
            0, i -> ""));
  }
}
