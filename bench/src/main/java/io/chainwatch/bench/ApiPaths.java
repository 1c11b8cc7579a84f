package io.chainwatch.bench;

import io.chainwatch.watcher.view.WatchedKind;
import io.chainwatch.watcher.view.WatchedKinds;

/** The paths fabric8 uses for the kinds the benchmarks fill; every other watched kind is served empty. */
final class ApiPaths {
  static final String PODS = "/api/v1/pods";
  static final String ENDPOINTS = "/apis/cilium.io/v2/ciliumendpoints";
  static final String NODES = "/api/v1/nodes";
  static final String NAMESPACES = "/api/v1/namespaces";

  private ApiPaths() {}

  /**
   * Serves a cluster: {@code nodes} nodes each with a Ready agent, {@code pods} workload pods and {@code endpoints}
   * CiliumEndpoints (for pods 0..endpoints-1) in the initial lists.
   */
  static FakeApiServer cluster(Workload workload, int nodes, int pods, int endpoints) {
    FakeApiServer server = new FakeApiServer()
        .serve(NODES, new FakeApiServer.Collection("v1", "NodeList", nodes, i -> Workload.node(i, 1)))
        .serve(PODS, new FakeApiServer.Collection("v1", "PodList", nodes + pods,
            i -> i < nodes ? Workload.agent(i, 1) : workload.pod(i - nodes, 1)))
        .serve(ENDPOINTS, new FakeApiServer.Collection("cilium.io/v2", "CiliumEndpointList", endpoints,
            i -> workload.endpoint(i, 1)))
        .serve(NAMESPACES, new FakeApiServer.Collection("v1", "NamespaceList", Workload.NAMESPACES,
            i -> Workload.namespaceObject(i, 1)));
    // every other kind chainwatch watches, empty (cilium-config in any namespace: chainwatch finds Cilium)
    for (WatchedKind<?> watched : WatchedKinds.ALL) {
      if (!server.serves(watched.collectionPath())) {
        server.serve(watched.collectionPath(), new FakeApiServer.Collection(watched.apiVersion(),
            watched.kind() + "List", 0, i -> ""));
      }
    }
    return server;
  }
}
