package io.chainwatch.demo;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Writes what a real cluster's components would write to the API server: the kubelet's pods, the base CNI's and
 * Cilium's effects. The simulated Cilium creates a CiliumEndpoint only for pods started after its agent was Ready on
 * their node, which is exactly the race chainwatch exists to catch.
 */
final class SimulatedCluster {
  static final ResourceDefinitionContext CILIUM_ENDPOINTS = new ResourceDefinitionContext.Builder()
      .withGroup("cilium.io").withVersion("v2").withKind("CiliumEndpoint").withPlural("ciliumendpoints")
      .withNamespaced(true).build();

  private final KubernetesClient client;
  private final Timeline timeline;

  SimulatedCluster(KubernetesClient client, Timeline timeline) {
    this.client = client;
    this.timeline = timeline;
  }

  void nodeJoins(String name, boolean agentNotReadyTaint) {
    NodeBuilder node = new NodeBuilder().withNewMetadata().withName(name)
        .withLabels(Map.of("kubernetes.io/hostname", name, "node.tke.cloud.tencent.com/nodepool-id", "np-demo"))
        .endMetadata().withNewSpec().endSpec()
        .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus();
    if (agentNotReadyTaint) {
      node.editSpec().addNewTaint().withKey("node.cilium.io/agent-not-ready").withValue("true")
          .withEffect("NoSchedule").endTaint().endSpec();
    }
    Node created = client.nodes().resource(node.build()).create();
    timeline.say("cluster", "node " + created.getMetadata().getName() + " joined"
        + (agentNotReadyTaint ? "" : " WITHOUT the node.cilium.io/agent-not-ready taint"));
  }

  static final ResourceDefinitionContext CILIUM_NODES = new ResourceDefinitionContext.Builder()
      .withGroup("cilium.io").withVersion("v2").withKind("CiliumNode").withPlural("ciliumnodes")
      .withNamespaced(false).build();

  /** Cilium's agent starts on {@code node} for the first time: it registers the node and becomes Ready. */
  void agentReady(String node) {
    if (client.genericKubernetesResources(CILIUM_NODES).withName(node).get() == null) {
      client.genericKubernetesResources(CILIUM_NODES).resource(new GenericKubernetesResourceBuilder()
          .withApiVersion("cilium.io/v2").withKind("CiliumNode").withNewMetadata().withName(node).endMetadata()
          .addToAdditionalProperties("spec", Map.of("health", Map.of("ipv4", "172.16.1.2"))).build()).create();
    }
    startAgent(node, "quay.io/cilium/cilium:v1.17.4");
    timeline.say("cilium", "cilium-agent is Ready on " + node + " and has appended itself to the CNI chain");
  }

  /** A Cilium upgrade reaches {@code node}: its agent pod is replaced by a new one, Ready now. */
  void agentUpgraded(String node, String image) {
    client.pods().inNamespace("kube-system").withLabel("k8s-app", "cilium").list().getItems().stream()
        .filter(pod -> node.equals(pod.getSpec().getNodeName()))
        .forEach(pod -> client.pods().resource(pod).delete());
    String name = startAgent(node, image);
    timeline.say("cilium", "upgrade: the agent pod on " + node + " was replaced by " + name + " (" + image
        + "), Ready now; the node's pods kept their endpoints");
  }

  private String startAgent(String node, String image) {
    Instant now = Instant.now();
    Pod agent = new PodBuilder().withNewMetadata().withNamespace("kube-system").withName("cilium-" + suffix())
        .withUid(UUID.randomUUID().toString()).withLabels(Map.of("k8s-app", "cilium"))
        .addNewOwnerReference().withApiVersion("apps/v1").withKind("DaemonSet").withName("cilium")
        .withUid("cilium-ds-uid").withController(true).endOwnerReference().endMetadata()
        .withNewSpec().withNodeName(node).withHostNetwork(true).addNewContainer().withName("cilium-agent")
        .withImage(image).endContainer().endSpec()
        .withNewStatus().withPhase("Running").withStartTime(now.minusSeconds(2).toString())
        .addNewCondition().withType("Ready").withStatus("True").withLastTransitionTime(now.toString())
        .endCondition().endStatus().build();
    client.pods().resource(agent).create();
    return agent.getMetadata().getName();
  }

  /** The kubelet starts a pod; with {@code ciliumInChain} the simulated Cilium creates its endpoint. */
  Pod startPod(String namespace, String name, String node, String ownerKind, String ownerName,
      boolean ciliumInChain) {
    Instant now = Instant.now();
    PodBuilder builder = new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name)
        .withUid(UUID.randomUUID().toString()).withLabels(Map.of("app", name.split("-")[0])).endMetadata()
        .withNewSpec().withNodeName(node).addNewContainer().withName("main").withImage("nginx:1.27").endContainer()
        .endSpec()
        .withNewStatus().withPhase("Running").withStartTime(now.toString()).withPodIP("172.16.1." + (10 + name.length()))
        .addNewCondition().withType("Ready").withStatus("True").withLastTransitionTime(now.toString())
        .endCondition().endStatus();
    if (ownerKind != null) {
      builder.editMetadata().addNewOwnerReference().withApiVersion("apps/v1").withKind(ownerKind)
          .withName(ownerName).withUid(ownerName + "-uid").withController(true).endOwnerReference().endMetadata();
    }
    Pod pod = client.pods().resource(builder.build()).create();
    String owner = ownerKind == null ? "bare pod" : ownerKind + " " + ownerName;
    timeline.say("kubelet", "started " + namespace + "/" + name + " on " + node + " (" + owner + ")"
        + (ciliumInChain ? " through the full chain" : ": only the base CNI ran, Cilium is not in the chain yet"));
    if (ciliumInChain) {
      client.genericKubernetesResources(CILIUM_ENDPOINTS).inNamespace(namespace).resource(
          new GenericKubernetesResourceBuilder().withApiVersion("cilium.io/v2").withKind("CiliumEndpoint")
              .withNewMetadata().withNamespace(namespace).withName(name).addNewOwnerReference().withApiVersion("v1")
              .withKind("Pod").withName(name).withUid(pod.getMetadata().getUid()).endOwnerReference().endMetadata()
              .addToAdditionalProperties("status", Map.of("state", "ready", "networking", Map.of("node", node,
                  "addressing", List.of(Map.of("ipv4", pod.getStatus().getPodIP())))))
              .build()).create();
      timeline.say("cilium", "created CiliumEndpoint " + namespace + "/" + name);
    }
    return pod;
  }

  /** kube-proxy, as kubeadm's DaemonSet runs it, left on {@code node} although Cilium replaces it. */
  void kubeProxyOn(String node) {
    Instant now = Instant.now();
    client.pods().resource(new PodBuilder().withNewMetadata().withNamespace("kube-system")
        .withName("kube-proxy-" + suffix()).withUid(UUID.randomUUID().toString())
        .withLabels(Map.of("k8s-app", "kube-proxy")).addNewOwnerReference().withApiVersion("apps/v1")
        .withKind("DaemonSet").withName("kube-proxy").withUid("kube-proxy-ds-uid").withController(true)
        .endOwnerReference().endMetadata()
        .withNewSpec().withNodeName(node).withHostNetwork(true).addNewContainer().withName("kube-proxy")
        .withImage("registry.k8s.io/kube-proxy:v1.33.2").endContainer().endSpec()
        .withNewStatus().withPhase("Running").withStartTime(now.toString()).addNewCondition().withType("Ready")
        .withStatus("True").withLastTransitionTime(now.toString()).endCondition().endStatus().build()).create();
    timeline.say("cluster", "kube-proxy still runs on " + node + " (its DaemonSet was never removed)");
  }

  /**
   * Prints every change of chainwatch's Node conditions and keeps each condition's statuses in order, as
   * {@code node/type → [False (Reason), True (Reason)]}.
   */
  io.fabric8.kubernetes.client.Watch watchNodeConditions(Map<String, List<String>> history) {
    Set<String> ours = Set.of("CiliumChainHealthy", "RpFilterHealthy", "CiliumHealthLocalEndpointReachable",
        "CiliumIpamHealthy", "CiliumEndpointsHealthy");
    return client.nodes().watch(new io.fabric8.kubernetes.client.Watcher<Node>() {
      @Override
      public void eventReceived(Action action, Node node) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
          return;
        }
        for (var condition : node.getStatus().getConditions()) {
          if (!ours.contains(condition.getType())) {
            continue;
          }
          String key = node.getMetadata().getName() + "/" + condition.getType();
          String state = condition.getStatus() + " (" + condition.getReason() + ")";
          synchronized (history) {
            List<String> seen = history.computeIfAbsent(key, k -> new java.util.ArrayList<>());
            if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(state)) {
              seen.add(state);
              if (!condition.getStatus().equals("True") || seen.size() > 1) {
                timeline.say("NODE COND", key + " = " + state);
              }
            }
          }
        }
      }

      @Override
      public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
        // the demo closes it at the end
      }
    });
  }

  /** A PodDisruptionBudget over pods labelled {@code app}, with the disruptions the disruption controller allows. */
  void budget(String namespace, String name, String app, int disruptionsAllowed) {
    client.policy().v1().podDisruptionBudget().inNamespace(namespace).resource(
        new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder().withNewMetadata()
            .withNamespace(namespace).withName(name).endMetadata()
            .withNewSpec().withNewMinAvailable(1).withNewSelector().addToMatchLabels("app", app).endSelector()
            .endSpec().withNewStatus().withDisruptionsAllowed(disruptionsAllowed).withCurrentHealthy(1)
            .withDesiredHealthy(1).withExpectedPods(1).endStatus().build()).create();
    timeline.say("cluster", "PodDisruptionBudget " + namespace + "/" + name + " protects app=" + app
        + " (disruptions allowed: " + disruptionsAllowed + ")");
  }

  /**
   * Plays the ReplicaSet controller: when a pod it owns is deleted (evicted), it starts a replacement on the same
   * node. The node's agent is Ready by then, so the replacement goes through the full chain and gets its endpoint.
   */
  io.fabric8.kubernetes.client.Watch replicaSetsRecreateDeletedPods() {
    return client.pods().inAnyNamespace().watch(new io.fabric8.kubernetes.client.Watcher<Pod>() {
      @Override
      public void eventReceived(Action action, Pod pod) {
        if (action != Action.DELETED || pod.getMetadata().getOwnerReferences() == null) {
          return;
        }
        pod.getMetadata().getOwnerReferences().stream().filter(owner -> "ReplicaSet".equals(owner.getKind()))
            .findFirst().ifPresent(owner -> {
              timeline.say("cluster", "pod " + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName()
                  + " evicted and gone; ReplicaSet " + owner.getName() + " creates a replacement");
              startPod(pod.getMetadata().getNamespace(), owner.getName() + "-" + suffix(), pod.getSpec().getNodeName(),
                  "ReplicaSet", owner.getName(), true);
            });
      }

      @Override
      public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
        // the demo closes it at the end
      }
    });
  }

  private static String suffix() {
    return UUID.randomUUID().toString().substring(0, 5);
  }
}
