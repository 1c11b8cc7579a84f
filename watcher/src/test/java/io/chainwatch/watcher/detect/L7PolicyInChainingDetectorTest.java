package io.chainwatch.watcher.detect;

import static io.chainwatch.watcher.Fixtures.T0;
import static io.chainwatch.watcher.Fixtures.ciliumConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.DaemonSetSnapshot;
import io.chainwatch.model.Finding;
import io.chainwatch.model.PolicySnapshot;
import io.chainwatch.model.Severity;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.Fixtures;
import io.chainwatch.watcher.view.Projections;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class L7PolicyInChainingDetectorTest {
  private static final KubernetesSerialization YAML = new KubernetesSerialization();
  private static final DaemonSetSnapshot GLOBAL_ROUTER = new DaemonSetSnapshot("kube-system", "tke-bridge-agent",
      List.of());
  private static final DaemonSetSnapshot VPC_CNI = new DaemonSetSnapshot("kube-system", "tke-eni-ipamd", List.of());
  static final PolicySnapshot DNS_POLICY = Projections.policy(YAML.unmarshal("""
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata: {name: allow-dns-only, namespace: shop}
      spec:
        endpointSelector:
          matchLabels: {"k8s:app": web}
        egress:
        - toEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system, "k8s:k8s-app": kube-dns}}]
          toPorts:
          - ports: [{port: "53", protocol: ANY}]
            rules:
              dns: [{matchPattern: "*"}]
        - toFQDNs: [{matchName: api.example.com}]
      """, GenericKubernetesResource.class));
  static final PolicySnapshot L4_ONLY = Projections.policy(YAML.unmarshal("""
      apiVersion: cilium.io/v2
      kind: CiliumClusterwideNetworkPolicy
      metadata: {name: l4-only}
      specs:
      - endpointSelector: {}
        ingress:
        - toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
      """, GenericKubernetesResource.class));

  private final L7PolicyInChainingDetector detector = new L7PolicyInChainingDetector("auto", "auto");

  private List<Finding> judge(Snapshot... snapshots) {
    List<Snapshot> all = new ArrayList<>(List.of(snapshots));
    all.add(Fixtures.pod("shop", "web-1").label("app", "web").build());
    all.add(Fixtures.pod("shop", "web-2").label("app", "web").build());
    all.add(Fixtures.pod("shop", "api-1").label("app", "api").build());
    return detector.detectAll(Fixtures.view(all.toArray(Snapshot[]::new)), T0);
  }

  @Test
  void projectsL7RulesAndSelectors() {
    assertThat(DNS_POLICY.l7()).containsExactly("dns", "toFQDNs");
    assertThat(DNS_POLICY.ref().key()).isEqualTo("CiliumNetworkPolicy/shop/allow-dns-only");
    assertThat(L4_ONLY.l7()).isEmpty();
    assertThat(L4_ONLY.namespace()).isNull();
  }

  @Test
  void anL7PolicyOnTheGlobalRouterBridgeNamesThePolicyAndItsPods() {
    List<Finding> findings = judge(GLOBAL_ROUTER, DNS_POLICY, ciliumConfig("cni-chaining-mode", "generic-veth",
        "routing-mode", "native"));

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(f.summary()).contains("CiliumNetworkPolicy shop/allow-dns-only", "dns, toFQDNs",
          "selects 2 running pod(s)", "TPROXY");
      assertThat(f.evidence()).containsEntry("runningPodsSelected", 2L);
    });
  }

  @Test
  void aGlobalRouterClusterWithVpcCniEnabledIsStillBridgedWhateverTheListingOrder() {
    Snapshot config = ciliumConfig("cni-chaining-mode", "generic-veth", "routing-mode", "native");
    assertThat(judge(VPC_CNI, GLOBAL_ROUTER, DNS_POLICY, config)).hasSize(1);
    assertThat(judge(GLOBAL_ROUTER, VPC_CNI, DNS_POLICY, config)).hasSize(1);
  }

  @Test
  void notForVpcCniNotInOverlayNotWithoutL7Rules() {
    assertThat(judge(VPC_CNI, DNS_POLICY, ciliumConfig("cni-chaining-mode", "generic-veth", "routing-mode",
        "native"))).as("VPC-CNI native chaining: L7 works").isEmpty();
    assertThat(judge(GLOBAL_ROUTER, DNS_POLICY, ciliumConfig("cni-chaining-mode", "generic-veth", "routing-mode",
        "tunnel"))).as("overlay: L7 works").isEmpty();
    assertThat(judge(GLOBAL_ROUTER, L4_ONLY, ciliumConfig("cni-chaining-mode", "generic-veth", "routing-mode",
        "native"))).as("no L7 rules").isEmpty();
    assertThat(judge(GLOBAL_ROUTER, DNS_POLICY, ciliumConfig("routing-mode", "native"))).as("not chained")
        .isEmpty();
  }
}
