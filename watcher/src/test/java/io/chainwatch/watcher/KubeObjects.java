package io.chainwatch.watcher;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Full Kubernetes objects (as an API server holds them) for mock-server tests. */
public final class KubeObjects {
  public static final ResourceDefinitionContext CILIUM_ENDPOINTS = new ResourceDefinitionContext.Builder()
      .withGroup("cilium.io").withVersion("v2").withKind("CiliumEndpoint").withPlural("ciliumendpoints")
      .withNamespaced(true).build();

  private KubeObjects() {}

  public static Node node(String name) {
    return new NodeBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();
  }

  /** A Running pod-network pod owned by a ReplicaSet. */
  public static Pod pod(String namespace, String name, String node, Instant started) {
    return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).withUid(name + "-uid")
        .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName(name + "-rs")
        .withUid(name + "-rs-uid").withController(true).endOwnerReference().endMetadata()
        .withNewSpec().withNodeName(node).addNewContainer().withName("main").withImage("nginx").endContainer()
        .endSpec()
        .withNewStatus().withPhase("Running").withStartTime(started.toString())
        .addNewCondition().withType("Ready").withStatus("True").withLastTransitionTime(started.toString())
        .endCondition().endStatus().build();
  }

  /** A Ready, hostNetwork cilium-agent pod on {@code node}. */
  public static Pod agent(String node, Instant readySince) {
    return new PodBuilder().withNewMetadata().withNamespace("kube-system").withName("cilium-" + node)
        .withUid("cilium-" + node + "-uid").withLabels(Map.of("k8s-app", "cilium")).endMetadata()
        .withNewSpec().withNodeName(node).withHostNetwork(true).addNewContainer().withName("cilium-agent")
        .withImage("quay.io/cilium/cilium").endContainer().endSpec()
        .withNewStatus().withPhase("Running").withStartTime(readySince.minusSeconds(20).toString())
        .addNewCondition().withType("Ready").withStatus("True").withLastTransitionTime(readySince.toString())
        .endCondition().endStatus().build();
  }

  /** The CiliumEndpoint Cilium creates for {@code pod}. */
  public static GenericKubernetesResource endpointOf(Pod pod) {
    return new GenericKubernetesResourceBuilder().withApiVersion("cilium.io/v2").withKind("CiliumEndpoint")
        .withNewMetadata().withNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
        .addNewOwnerReference().withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName())
        .withUid(pod.getMetadata().getUid()).endOwnerReference().endMetadata()
        .addToAdditionalProperties("status", Map.of("state", "ready",
            "networking", Map.of("node", pod.getSpec().getNodeName(), "addressing", List.of(Map.of("ipv4", "10.1.0.9")))))
        .build();
  }

  public static ConfigMap ciliumConfig(Map<String, String> data) {
    return new ConfigMapBuilder().withNewMetadata().withNamespace("kube-system").withName("cilium-config")
        .endMetadata().withData(data).build();
  }
}
