package io.chainwatch.watcher.detect;

import static io.chainwatch.watcher.Fixtures.T0;
import static io.chainwatch.watcher.Fixtures.agent;
import static io.chainwatch.watcher.Fixtures.ciliumConfig;
import static io.chainwatch.watcher.Fixtures.node;
import static io.chainwatch.watcher.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.Finding;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.Severity;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kube-proxy pods as their installers label them: kubeadm's and kops' DaemonSet ({@code k8s-app: kube-proxy},
 * kubernetes/kubeadm's addon manifest), GKE's static pods ({@code component: kube-proxy}, named
 * {@code kube-proxy-<node>}).
 */
class KubeProxyWithReplacementDetectorTest {
  private static final KubeProxyWithReplacementDetector DETECTOR = new KubeProxyWithReplacementDetector();

  private static PodSnapshot kubeProxy(String name, String node) {
    return pod("kube-system", name).node(node).hostNetwork().owner("DaemonSet", "kube-proxy")
        .label("k8s-app", "kube-proxy").build();
  }

  private static List<Finding> judge(Snapshot... snapshots) {
    List<Snapshot> all = new ArrayList<>(List.of(node("node-1"), node("node-2"), agent("node-1", T0).build(),
        agent("node-2", T0).build()));
    all.addAll(List.of(snapshots));
    return DETECTOR.detectAll(Fixtures.view(all.toArray(Snapshot[]::new)), T0);
  }

  @Test
  void theReplacementOnWithKubeProxyRunningOnCiliumNodesPages() {
    List<Finding> findings = judge(ciliumConfig("kube-proxy-replacement", "true"), kubeProxy("kube-proxy-7xk2p",
        "node-1"), kubeProxy("kube-proxy-9qz4m", "node-2"));

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.action()).isEqualTo(PlannedAction.PAGE);
      assertThat(f.reason()).isEqualTo("kube-proxy-running");
      assertThat(f.summary()).contains("kube-proxy-replacement: true", "on 2 node(s) with Cilium",
          "kube-system/kube-proxy-7xk2p on node-1");
      assertThat(f.evidence()).containsEntry("kubeProxyPods", 2);
    });
  }

  @Test
  void anAgentReplacedDuringACiliumUpgradeDoesNotClearIt() {
    // node-3's agent pod is gone for a moment; its CiliumNode stays
    assertThat(DETECTOR.detectAll(Fixtures.view(node("node-3"), new io.chainwatch.model.CiliumNodeSnapshot("node-3"),
        ciliumConfig("kube-proxy-replacement", "true"), kubeProxy("kube-proxy-a", "node-3")), T0)).hasSize(1);
  }

  @Test
  void kubeadmsKubeProxyPodProjectedAsInformersDoIsRecognized() throws Exception {
    PodSnapshot real = io.chainwatch.watcher.view.Projections.pod(new io.fabric8.kubernetes.client.utils
        .KubernetesSerialization().unmarshal(java.nio.file.Files.readString(java.nio.file.Path.of(
            "src/test/resources/real/kube-proxy/kubeadm-kube-proxy-pod.yaml")),
            io.fabric8.kubernetes.api.model.GenericKubernetesResource.class));

    assertThat(KubeProxyWithReplacementDetector.isKubeProxy(real)).isTrue();
    assertThat(judge(ciliumConfig("kube-proxy-replacement", "true"), real)).singleElement()
        .satisfies(f -> assertThat(f.summary()).contains("kube-system/kube-proxy-7xk2p on node-1"));
  }

  @Test
  void strictBeforeCilium114AndGkesStaticPodsCountToo() {
    PodSnapshot staticPod = pod("kube-system", "kube-proxy-gke-pool-1-abcd").node("node-1").hostNetwork().bare()
        .label("component", "kube-proxy").label("tier", "node").build();
    assertThat(judge(ciliumConfig("kube-proxy-replacement", "strict"), staticPod)).hasSize(1);
  }

  static Stream<Arguments> mustNotReport() {
    return Stream.of(
        Arguments.of("replacement false", List.of(ciliumConfig("kube-proxy-replacement", "false"),
            kubeProxy("kube-proxy-a", "node-1"))),
        Arguments.of("replacement partial (kube-proxy meant to run)", List.of(ciliumConfig("kube-proxy-replacement",
            "partial"), kubeProxy("kube-proxy-a", "node-1"))),
        Arguments.of("replacement probe", List.of(ciliumConfig("kube-proxy-replacement", "probe"),
            kubeProxy("kube-proxy-a", "node-1"))),
        Arguments.of("no replacement key", List.of(ciliumConfig("routing-mode", "native"),
            kubeProxy("kube-proxy-a", "node-1"))),
        Arguments.of("no kube-proxy", List.of(ciliumConfig("kube-proxy-replacement", "true"))),
        Arguments.of("kube-proxy terminating (a migration)", List.of(ciliumConfig("kube-proxy-replacement", "true"),
            pod("kube-system", "kube-proxy-a").node("node-1").hostNetwork().label("k8s-app", "kube-proxy")
                .terminating().build())),
        Arguments.of("kube-proxy not running", List.of(ciliumConfig("kube-proxy-replacement", "true"),
            pod("kube-system", "kube-proxy-a").node("node-1").hostNetwork().label("k8s-app", "kube-proxy")
                .phase("Failed").build())),
        Arguments.of("kube-proxy on a node without a Cilium agent", List.of(ciliumConfig("kube-proxy-replacement",
            "true"), node("windows-1"), kubeProxy("kube-proxy-w", "windows-1"))),
        Arguments.of("a pod merely named like it outside kube-system", List.of(ciliumConfig("kube-proxy-replacement",
            "true"), pod("shop", "kube-proxy-lookalike").node("node-1").build())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mustNotReport")
  void mustNotReport(String name, List<Snapshot> snapshots) {
    assertThat(judge(snapshots.toArray(Snapshot[]::new))).as(name).isEmpty();
  }
}
