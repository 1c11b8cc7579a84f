package io.chainwatch.bench;

import io.chainwatch.config.LabelSelector;
import io.chainwatch.watcher.view.AgentIdentity;
import io.chainwatch.watcher.view.ClusterState;
import io.chainwatch.watcher.view.Projections;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;

/**
 * Heap retained per cached pod and per CiliumEndpoint: chainwatch's view (slim snapshots) next to a naive baseline
 * that keeps full fabric8 objects in a standard informer cache (typed Pods; CiliumEndpoints as generic resources, as
 * a user without a Cilium model would), measured in the same JVM, one after the other, after full collections.
 */
final class MemoryBench {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** One measurement at one cluster size, in bytes per object. */
  record Result(int pods, double chainwatchPerPod, double chainwatchPerEndpoint, double baselinePerPod,
      double baselinePerEndpoint, long chainwatchTotal, long baselineTotal) {}

  private final Workload workload = new Workload();

  Result measure(int pods) {
    long before = Heap.usedAfterGc();
    ClusterState view = ClusterState.detached(
        new AgentIdentity("kube-system", new LabelSelector("k8s-app", "cilium"), "cilium-config"));
    for (int i = 0; i < pods; i++) {
      GenericKubernetesResource pod = SERIALIZATION.unmarshal(workload.pod(i, i + 1), GenericKubernetesResource.class);
      view.put(Workload.namespace(i) + "/" + Workload.podName(i), String.valueOf(i + 1), Projections.pod(pod));
    }
    long afterPods = Heap.usedAfterGc();
    for (int i = 0; i < pods; i++) {
      GenericKubernetesResource endpoint =
          SERIALIZATION.unmarshal(workload.endpoint(i, i + 1), GenericKubernetesResource.class);
      view.put(Workload.namespace(i) + "/" + Workload.podName(i), String.valueOf(i + 1),
          Projections.endpoint(endpoint));
    }
    long afterEndpoints = Heap.usedAfterGc();
    long chainwatchTotal = afterEndpoints - before;
    keep(view);
    view = null;

    long baselineBefore = Heap.usedAfterGc();
    CacheImpl<Pod> podCache = new CacheImpl<>();
    for (int i = 0; i < pods; i++) {
      podCache.put(SERIALIZATION.unmarshal(workload.pod(i, i + 1), Pod.class));
    }
    long baselineAfterPods = Heap.usedAfterGc();
    CacheImpl<GenericKubernetesResource> endpointCache = new CacheImpl<>();
    for (int i = 0; i < pods; i++) {
      endpointCache.put(SERIALIZATION.unmarshal(workload.endpoint(i, i + 1), GenericKubernetesResource.class));
    }
    long baselineAfterEndpoints = Heap.usedAfterGc();
    keep(podCache);
    keep(endpointCache);
    return new Result(pods,
        (afterPods - before) / (double) pods,
        (afterEndpoints - afterPods) / (double) pods,
        (baselineAfterPods - baselineBefore) / (double) pods,
        (baselineAfterEndpoints - baselineAfterPods) / (double) pods,
        chainwatchTotal,
        baselineAfterEndpoints - baselineBefore);
  }

  private static final List<Object> SINK = new ArrayList<>();

  // keeps the measured structure reachable until its size was read
  private static void keep(Object o) {
    SINK.add(o);
    SINK.clear();
  }
}
