package io.chainwatch.watcher.detect;

import static io.chainwatch.watcher.Fixtures.T0;
import static io.chainwatch.watcher.Fixtures.ciliumConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.DaemonSetSnapshot;
import io.chainwatch.model.Finding;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.Severity;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.Fixtures;
import io.chainwatch.watcher.view.ClusterState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VpcCniCoexistenceDetectorTest {
  private static final DaemonSetSnapshot BRIDGE_AGENT = new DaemonSetSnapshot("kube-system", "tke-bridge-agent",
      List.of());
  private static final DaemonSetSnapshot ENI_AGENT = new DaemonSetSnapshot("kube-system", "tke-eni-ipamd", List.of());
  private static final Snapshot CHAINED = ciliumConfig("cni-chaining-mode", "generic-veth", "routing-mode", "tunnel");
  private static final Snapshot NOT_CHAINED = ciliumConfig("routing-mode", "tunnel");

  private final VpcCniCoexistenceDetector detector = new VpcCniCoexistenceDetector("auto", "auto");

  private static NodeSnapshot node(String name, String... podCidrs) {
    return new NodeSnapshot(name, T0.minusSeconds(3600), true, Map.of(), List.of(), Map.of(), null,
        List.of(podCidrs));
  }

  private static PodSnapshot annotated(String name, String networks, String ip) {
    return Fixtures.pod("shop", name).node("node-1").networks(networks, ip).build();
  }

  private List<Finding> judge(Snapshot... snapshots) {
    List<Snapshot> all = new ArrayList<>(List.of(snapshots));
    all.add(node("node-1", "172.16.1.0/26"));
    all.add(node("node-2", "172.16.1.64/26", "fd00:10:1::/64"));
    return detector.detectAll(Fixtures.view(all.toArray(Snapshot[]::new)), T0);
  }

  @Test
  void anAnnotatedPodWithAGlobalRouterIpIsCriticalAndNamesTheRange() {
    List<Finding> findings = judge(BRIDGE_AGENT, ENI_AGENT, CHAINED, annotated("eni-1", "tke-route-eni",
        "172.16.1.9"));

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.detectorId()).isEqualTo("vpc-cni-coexistence-broken");
      assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(f.action().name()).isEqualTo("PAGE");
      assertThat(f.node()).isEqualTo("node-1");
      assertThat(f.summary()).contains("shop/eni-1", "tke-route-eni", "172.16.1.9", "172.16.1.0/26",
          "VPC-CNI cluster");
      assertThat(f.evidence()).containsEntry("podIp", "172.16.1.9").containsEntry("vpcCniEnabled", true)
          .containsEntry("baseCni", "global-router").containsEntry("nodePodCIDR", "172.16.1.0/26")
          .containsEntry("networksAnnotation", "tke-route-eni");
      assertThat((List<?>) f.evidence().get("signals")).anySatisfy(s -> assertThat((String) s)
          .contains("tke-eni-ipamd"));
    });
  }

  @ParameterizedTest(name = "{0} {1} on {2}")
  @CsvSource(delimiter = '|', textBlock = """
      tke-route-eni                        | 172.16.1.70     | node-2 | the node's own range
      tke-direct-eni                       | fd00:10:1::1f   | node-2 | an IPv6 range
      '[{"name":"tke-route-eni"}]'         | 172.16.1.10     | node-1 | a JSON list
      'tke-bridge,tke-route-eni'           | 172.16.1.11     | node-1 | a comma-separated list
      """)
  void readsTheAnnotationsFormsAndBothFamilies(String networks, String ip, String node, String why) {
    assertThat(judge(BRIDGE_AGENT, CHAINED, Fixtures.pod("shop", "eni-1").node(node).networks(networks, ip).build()))
        .as(why).hasSize(1);
  }

  @Test
  void notWhenTheRequestWorkedOrWasNeverMade() {
    assertThat(judge(BRIDGE_AGENT, ENI_AGENT, CHAINED, annotated("eni-1", "tke-route-eni", "10.0.4.17")))
        .as("a VPC IP: the annotation took effect").isEmpty();
    assertThat(judge(BRIDGE_AGENT, CHAINED, annotated("eni-1", "tke-route-eni", "172.16.1.70")))
        .as("outside its own node's range").isEmpty();
    assertThat(judge(BRIDGE_AGENT, CHAINED, Fixtures.pod("shop", "nowhere").node(null)
        .networks("tke-route-eni", "172.16.1.9").build())).as("unscheduled").isEmpty();
    assertThat(judge(BRIDGE_AGENT, CHAINED, Fixtures.pod("shop", "plain").build()))
        .as("no annotation").isEmpty();
    assertThat(judge(BRIDGE_AGENT, CHAINED, annotated("bridge", "tke-bridge", "172.16.1.9")))
        .as("asks for the default bridge network").isEmpty();
    assertThat(judge(BRIDGE_AGENT, CHAINED, annotated("pending", "tke-route-eni", null)))
        .as("no IP yet").isEmpty();
    assertThat(judge(BRIDGE_AGENT, CHAINED, Fixtures.pod("shop", "host").node("node-1").hostNetwork()
        .networks("tke-route-eni", "172.16.1.9").build())).as("host network").isEmpty();
    assertThat(judge(BRIDGE_AGENT, CHAINED, Fixtures.pod("shop", "going").node("node-1").terminating()
        .networks("tke-route-eni", "172.16.1.9").build())).as("terminating").isEmpty();
  }

  @Test
  void notWithoutChainingNorOnAVpcCniCluster() {
    assertThat(judge(BRIDGE_AGENT, ENI_AGENT, NOT_CHAINED, annotated("eni-1", "tke-route-eni", "172.16.1.9")))
        .as("Cilium not chained: GlobalRouter's own coexistence decides").isEmpty();
    assertThat(judge(ENI_AGENT, CHAINED, annotated("eni-1", "tke-route-eni", "172.16.1.9")))
        .as("VPC-CNI cluster").isEmpty();
    assertThat(new VpcCniCoexistenceDetector("vpc-cni", "auto").detectAll(Fixtures.view(BRIDGE_AGENT, CHAINED,
        node("node-1", "172.16.1.0/26"), annotated("eni-1", "tke-route-eni", "172.16.1.9")), T0))
        .as("pinned to VPC-CNI in configuration").isEmpty();
  }

  @Test
  void unparsableNodeRangesAreSkippedNotFatal() {
    ClusterState view = Fixtures.view(BRIDGE_AGENT, CHAINED, node("node-1", "not-a-cidr", "172.16.1.0/99",
        "172.16.1.0/26"), annotated("eni-1", "tke-route-eni", "172.16.1.9"));
    assertThat(detector.detectAll(view, T0)).hasSize(1);
  }

  @Test
  void aNodeChangeReevaluatesOnlyItsAnnotatedPods() {
    PodSnapshot eni = annotated("eni-1", "tke-route-eni", "172.16.1.9");
    PodSnapshot plain = Fixtures.pod("shop", "plain").node("node-1").build();
    NodeSnapshot node = node("node-1", "172.16.1.0/26");
    ClusterState view = Fixtures.view(BRIDGE_AGENT, CHAINED, node, eni, plain);

    assertThat(detector.affectedBy(new ClusterChange(node.ref(), null, node), view).refs())
        .containsExactly(eni.ref());
    assertThat(detector.affectedBy(new ClusterChange(plain.ref(), null, plain), view).refs()).isEmpty();
    assertThat(detector.affectedBy(new ClusterChange(CHAINED.ref(), null, CHAINED), view).all()).isTrue();
  }

  @Test
  void cidrsMatchByPrefixForBothFamilies() {
    Cidr v4 = Cidr.parse("172.16.1.64/26").orElseThrow();
    assertThat(v4.contains("172.16.1.127")).isTrue();
    assertThat(v4.contains("172.16.1.128")).isFalse();
    assertThat(v4.contains("fd00::1")).isFalse();
    assertThat(v4.contains("172.16.1")).isFalse();
    Cidr v6 = Cidr.parse("fd00:10:1::/48").orElseThrow();
    assertThat(v6.contains("fd00:10:1:ffff::1")).isTrue();
    assertThat(v6.contains("fd00:10:2::1")).isFalse();
    assertThat(Cidr.parse("10.0.0.0/33")).isEmpty();
    assertThat(Cidr.parse("10.0.0.256/8")).isEmpty();
    assertThat(Cidr.parse("fd00::1::2/64")).isEmpty();
    assertThat(Cidr.parse("10.0.0.0")).isEmpty();
    assertThat(Cidr.parse("0.0.0.0/0").orElseThrow().contains("8.8.8.8")).isTrue();
  }
}
