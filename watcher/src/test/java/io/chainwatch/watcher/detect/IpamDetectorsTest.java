package io.chainwatch.watcher.detect;

import static io.chainwatch.watcher.Fixtures.T0;
import static io.chainwatch.watcher.Fixtures.agent;
import static io.chainwatch.watcher.Fixtures.ciliumConfig;
import static io.chainwatch.watcher.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.CiliumNodeSnapshot;
import io.chainwatch.model.Finding;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.SandboxFailureSnapshot;
import io.chainwatch.model.Severity;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.Fixtures;
import io.chainwatch.watcher.view.Projections;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** ipam-exhausted and ipam-near-exhaustion over CiliumNodes and kubelet Events projected from the fixtures. */
class IpamDetectorsTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final String ENI_120_NODE = "ip-10-209-84-17.eu-west-1.compute.internal";
  private static final String ENI_119_NODE = "ip-10-0-12-31.eu-west-1.compute.internal";
  private static final IpamExhaustedDetector EXHAUSTED = new IpamExhaustedDetector();
  private static final IpamNearExhaustionDetector NEAR = new IpamNearExhaustionDetector(0.9);
  /** The Events were last seen at 03:58:40 and 03:59:00; judged at T0 (04:00). */
  private static final java.time.Instant NOW = T0;

  private static CiliumNodeSnapshot ciliumNode(String file) throws Exception {
    return Projections.ciliumNode(SERIALIZATION.unmarshal(Files.readString(
        Path.of("src/test/resources/cilium/ipam", file)), GenericKubernetesResource.class));
  }

  private static List<SandboxFailureSnapshot> events() throws Exception {
    var list = SERIALIZATION.unmarshal(Files.readString(Path.of("src/test/resources/cilium/ipam/events.json")),
        io.fabric8.kubernetes.api.model.GenericKubernetesResourceList.class);
    return list.getItems().stream().map(Projections::sandboxFailure).toList();
  }

  private static SandboxFailureSnapshot event(String podName) throws Exception {
    return events().stream().filter(e -> podName.equals(e.podName())).findFirst().orElseThrow();
  }

  private static PodSnapshot waiting(String namespace, String name, String node) {
    return pod(namespace, name).node(node).phase("Pending").started(T0.minusSeconds(600)).build();
  }

  private static List<Snapshot> running(String node, int count) {
    List<Snapshot> pods = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      pods.add(pod("shop", "web-" + i).node(node).build());
    }
    return pods;
  }

  private static List<Finding> judge(Detector detector, String node, List<Snapshot> snapshots) {
    List<Snapshot> all = new ArrayList<>(snapshots);
    all.add(Fixtures.node(node));
    all.add(agent(node, T0.minusSeconds(3600)).build());
    return detector.evaluate(ResourceRef.node(node), Fixtures.view(all.toArray(Snapshot[]::new)), NOW).findings();
  }

  @Test
  void theProjectionReadsEachModesFieldsAndTheAgentsOwnWords() throws Exception {
    assertThat(ciliumNode("ciliumnode-cluster-pool-27.json").ipam().podCidrs())
        .containsExactly("10.244.1.0/27", "fd00:10:244:1::/64");
    CiliumNodeSnapshot.Ipam eni120 = ciliumNode("ciliumnode-eni-1.20-multipool.json").ipam();
    assertThat(eni120.allocatedCidrs()).hasSize(6);
    assertThat(eni120.neededIpv4()).isEqualTo(77);
    assertThat(eni120.pool()).as("no per-address pool since ENI builds on multi-pool").isEqualTo(-1);
    CiliumNodeSnapshot.Ipam eni119 = ciliumNode("ciliumnode-eni-1.19-pool-full.json").ipam();
    assertThat(eni119.pool()).isEqualTo(29);
    assertThat(eni119.used()).isEqualTo(29);
    assertThat(eni119.operatorError()).contains("InsufficientFreeAddressesInSubnet");

    List<SandboxFailureSnapshot> events = events();
    assertThat(events).extracting(SandboxFailureSnapshot::ciliumIpamFailure).containsExactly(true, true, false);
    assertThat(events.get(0).ipamError()).isEqualTo("all CIDR ranges are exhausted");
    assertThat(events.get(1).ipamError()).isEqualTo("range is full");
    assertThat(events.get(0).count()).isEqualTo(14);
  }

  @Test
  void podsWaitingOnTheAgentsIpamFailurePageWithTheModesFixAndTheDisagreement() throws Exception {
    List<Snapshot> snapshots = new ArrayList<>(List.of(ciliumConfig("ipam", "eni"),
        ciliumNode("ciliumnode-eni-1.20-multipool.json"), event("checkout-7c9d8b6f5-q2x7k"),
        waiting("shop", "checkout-7c9d8b6f5-q2x7k", ENI_120_NODE)));

    List<Finding> findings = judge(EXHAUSTED, ENI_120_NODE, snapshots);

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(f.action()).isEqualTo(PlannedAction.PAGE);
      assertThat(f.summary()).contains("1 pod waits to start (shop/checkout-7c9d8b6f5-q2x7k)",
          "cilium-agent says \"all CIDR ranges are exhausted\"", "eni IPAM: 77 in use of 96",
          "shows 19 free", "cilium/cilium#46598 and #47910", "prefix delegation (eni.awsEnablePrefixDelegation)");
      assertThat(f.reason()).isEqualTo("agent-and-operator-disagree");
      assertThat(f.evidence()).containsEntry("agentSays", "all CIDR ranges are exhausted")
          .containsEntry("waitingPods", 1);
    });
    assertThat(judge(NEAR, ENI_120_NODE, snapshots)).as("waiting pods are ipam-exhausted's").isEmpty();
  }

  @Test
  void aFullClusterPoolRangeWithAPodWaitingNamesTheRange() throws Exception {
    List<Snapshot> snapshots = new ArrayList<>(running("kind-worker", 28));
    snapshots.addAll(List.of(ciliumNode("ciliumnode-cluster-pool-27.json"),
        event("pod-to-a-allowed-cnp-5899c44899-lmsr8"), waiting("default", "pod-to-a-allowed-cnp-5899c44899-lmsr8",
            "kind-worker")));

    assertThat(judge(EXHAUSTED, "kind-worker", snapshots)).singleElement().satisfies(f -> {
      assertThat(f.reason()).isEqualTo("no-address");
      assertThat(f.summary()).contains("range is full", "cluster-pool IPAM: 30 in use (estimated) of 30",
          "clusterPoolIPv4MaskSize");
    });
  }

  static Stream<Arguments> exhaustedMustNotReport() throws Exception {
    SandboxFailureSnapshot old = new SandboxFailureSnapshot("shop", "old", "checkout-7c9d8b6f5-q2x7k", null,
        ENI_120_NODE, event("checkout-7c9d8b6f5-q2x7k").message(), 3, T0.minus(Duration.ofMinutes(11)));
    return Stream.of(
        Arguments.of("a full node with nothing waiting", List.of(ciliumNode("ciliumnode-eni-1.19-pool-full.json"),
            ciliumConfig("ipam", "eni")), ENI_119_NODE),
        Arguments.of("the pod started since", List.of(ciliumNode("ciliumnode-eni-1.20-multipool.json"),
            event("checkout-7c9d8b6f5-q2x7k"), pod("shop", "checkout-7c9d8b6f5-q2x7k").node(ENI_120_NODE).build()),
            ENI_120_NODE),
        Arguments.of("the pod is being deleted", List.of(ciliumNode("ciliumnode-eni-1.20-multipool.json"),
            event("checkout-7c9d8b6f5-q2x7k"), pod("shop", "checkout-7c9d8b6f5-q2x7k").node(ENI_120_NODE)
                .phase("Pending").terminating().build()), ENI_120_NODE),
        Arguments.of("a failure older than 10 minutes", List.of(ciliumNode("ciliumnode-eni-1.20-multipool.json"), old,
            waiting("shop", "checkout-7c9d8b6f5-q2x7k", ENI_120_NODE)), ENI_120_NODE),
        Arguments.of("another pod of that name (other UID)", List.of(ciliumNode("ciliumnode-eni-1.20-multipool.json"),
            event("checkout-7c9d8b6f5-q2x7k"), pod("shop", "checkout-7c9d8b6f5-q2x7k").uid("new-uid")
                .node(ENI_120_NODE).phase("Pending").build()), ENI_120_NODE),
        Arguments.of("the base CNI's own IPAM failure (aws-cni), not Cilium's", List.of(
            ciliumNode("ciliumnode-cluster-pool-27.json"), event("ebs-csi-node-gx67g"),
            waiting("kube-system", "ebs-csi-node-gx67g", "kind-worker")), "kind-worker"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exhaustedMustNotReport")
  void exhaustedMustNotReport(String name, List<Snapshot> snapshots, String node) {
    assertThat(judge(EXHAUSTED, node, snapshots)).as(name).isEmpty();
  }

  @Test
  void aFixedRangeAboveTheThresholdWarnsBeforeAnythingWaits() throws Exception {
    List<Snapshot> snapshots = new ArrayList<>(running("kind-worker", 26)); // 28 of 30 with router and health
    snapshots.add(ciliumNode("ciliumnode-cluster-pool-27.json"));

    assertThat(judge(NEAR, "kind-worker", snapshots)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.reason()).isEqualTo("range-nearly-full");
      assertThat(f.summary()).contains("uses 28 (estimated from its pods) of its 30 pod addresses", "2 left");
    });
    List<Snapshot> fewer = new ArrayList<>(running("kind-worker", 24)); // 26 of 30: below 0.9
    fewer.add(ciliumNode("ciliumnode-cluster-pool-27.json"));
    assertThat(judge(NEAR, "kind-worker", fewer)).isEmpty();
  }

  @Test
  void aGrowingPoolIsOnlyReportedWhenTheOperatorCannotGrowIt() throws Exception {
    assertThat(judge(NEAR, ENI_119_NODE, List.of(ciliumConfig("ipam", "eni"),
        ciliumNode("ciliumnode-eni-1.19-pool-full.json")))).singleElement().satisfies(f -> {
          assertThat(f.reason()).isEqualTo("operator-cannot-allocate");
          assertThat(f.summary()).contains("InsufficientFreeAddressesInSubnet", "29 of 29 in use");
        });
    assertThat(judge(NEAR, ENI_120_NODE, List.of(ciliumConfig("ipam", "eni"),
        ciliumNode("ciliumnode-eni-1.20-multipool.json")))).as("full but growing: the operator's normal state")
        .isEmpty();
  }

  @Test
  void inChainingTheBaseCnisIpamGivesTheAddressesAndNothingIsEstimated() throws Exception {
    List<Snapshot> snapshots = new ArrayList<>(running("kind-worker", 29));
    snapshots.add(ciliumNode("ciliumnode-cluster-pool-27.json"));
    snapshots.add(ciliumConfig("cni-chaining-mode", "aws-cni"));

    assertThat(judge(NEAR, "kind-worker", snapshots)).isEmpty();
  }

  @Test
  void aSandboxFailureRoutesToThePodsNode() throws Exception {
    var view = Fixtures.view(Fixtures.node(ENI_120_NODE), waiting("shop", "checkout-7c9d8b6f5-q2x7k", ENI_120_NODE));
    SandboxFailureSnapshot failure = event("checkout-7c9d8b6f5-q2x7k");
    Subjects subjects = EXHAUSTED.affectedBy(new io.chainwatch.model.ClusterChange(failure.ref(), null, failure), view);
    assertThat(subjects.refs()).containsExactly(ResourceRef.node(ENI_120_NODE));
  }

  @Test
  void theKubeletRetryingIsNotANewFindingEveryFewSeconds() throws Exception {
    SandboxFailureSnapshot first = event("checkout-7c9d8b6f5-q2x7k");
    SandboxFailureSnapshot retried = new SandboxFailureSnapshot(first.namespace(), first.name(), first.podName(),
        first.podUid(), first.node(), first.message(), first.count() + 1, first.lastSeen().plusSeconds(20));
    List<Snapshot> common = List.of(ciliumConfig("ipam", "eni"), ciliumNode("ciliumnode-eni-1.20-multipool.json"),
        waiting("shop", "checkout-7c9d8b6f5-q2x7k", ENI_120_NODE));
    List<Snapshot> before = new ArrayList<>(common);
    before.add(first);
    List<Snapshot> after = new ArrayList<>(common);
    after.add(retried);

    Finding earlier = judge(EXHAUSTED, ENI_120_NODE, before).get(0);
    Finding later = judge(EXHAUSTED, ENI_120_NODE, after).get(0);

    assertThat(later.sameContentAs(earlier)).isTrue();
  }

  @Test
  void theViewIndexesSandboxFailuresByPodAndForgetsDeletedEvents() throws Exception {
    SandboxFailureSnapshot failure = event("checkout-7c9d8b6f5-q2x7k");
    var view = Fixtures.view(failure, event("ebs-csi-node-gx67g"));

    assertThat(view.sandboxFailuresOf("shop", "checkout-7c9d8b6f5-q2x7k")).containsExactly(failure);
    view.remove(SandboxFailureSnapshot.class, io.chainwatch.watcher.view.ClusterState.keyOf(failure));
    assertThat(view.sandboxFailuresOf("shop", "checkout-7c9d8b6f5-q2x7k")).isEmpty();
    assertThat(view.sandboxFailuresOf("kube-system", "ebs-csi-node-gx67g")).hasSize(1);
  }
}
