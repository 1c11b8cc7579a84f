package io.chainwatch.watcher.detect;

import static io.chainwatch.watcher.Fixtures.T0;
import static io.chainwatch.watcher.Fixtures.ciliumConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.DaemonSetSnapshot;
import io.chainwatch.model.Finding;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.Severity;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeploymentDoctorDetectorTest {
  private static final DaemonSetSnapshot GLOBAL_ROUTER = new DaemonSetSnapshot("kube-system", "tke-bridge-agent",
      List.of());
  private static final DaemonSetSnapshot VPC_CNI = new DaemonSetSnapshot("kube-system", "tke-eni-ipamd", List.of());
  private static final DaemonSetSnapshot CILIUM_WITH_SYSCTLFIX = new DaemonSetSnapshot("kube-system", "cilium",
      List.of("config", "mount-cgroup", "apply-sysctl-overwrites", "mount-bpf-fs", "install-cni-binaries"));
  private static final DaemonSetSnapshot CILIUM_WITHOUT_SYSCTLFIX = new DaemonSetSnapshot("kube-system", "cilium",
      List.of("config", "mount-cgroup", "mount-bpf-fs", "install-cni-binaries"));

  private final DeploymentDoctorDetector doctor = new DeploymentDoctorDetector("auto", "auto");

  private List<String> checks(Snapshot... snapshots) {
    return doctor.detectAll(Fixtures.view(snapshots), T0).stream().map(f -> f.detectorId() + "/" + f.reason())
        .toList();
  }

  @Test
  void globalRouterChainedInNativeRoutingIsUnsupported() {
    List<Finding> findings = doctor.detectAll(Fixtures.view(GLOBAL_ROUTER, CILIUM_WITH_SYSCTLFIX,
        ciliumConfig("cni-chaining-mode", "generic-veth", "routing-mode", "native")), T0);

    assertThat(findings).filteredOn(f -> f.detectorId().equals("unsupported-gr-native-routing")).singleElement()
        .satisfies(f -> {
          assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
          assertThat(f.action()).isEqualTo(PlannedAction.PAGE);
          assertThat(f.summary()).contains("cbr0", "overlay");
          assertThat(f.evidence().get("signals").toString()).contains("tke-bridge-agent",
              "cni-chaining-mode=generic-veth", "routing-mode=native");
        });
  }

  @Test
  void notReportedForTunnelOnGlobalRouterOrForVpcCniNativeChaining() {
    assertThat(checks(GLOBAL_ROUTER, CILIUM_WITH_SYSCTLFIX,
        ciliumConfig("cni-chaining-mode", "generic-veth", "routing-mode", "tunnel")))
        .doesNotContain("unsupported-gr-native-routing/unsupported-gr-native-routing");
    assertThat(checks(VPC_CNI, CILIUM_WITHOUT_SYSCTLFIX, ciliumConfig("cni-chaining-mode", "generic-veth",
        "routing-mode", "native", "local-router-ipv4", "169.254.32.16"))).isEmpty();
    assertThat(checks(GLOBAL_ROUTER)).as("no cilium-config: nothing to judge").isEmpty();
  }

  @Test
  void nativeRoutingOnVpcCniNeedsLocalRouterAndNoSysctlfix() {
    assertThat(checks(VPC_CNI, CILIUM_WITH_SYSCTLFIX, ciliumConfig("routing-mode", "native")))
        .containsExactlyInAnyOrder("native-routing-config/local-router-ipv4-unset",
            "native-routing-config/sysctlfix-enabled");
    Finding sysctlfix = doctor.detectAll(Fixtures.view(VPC_CNI, CILIUM_WITH_SYSCTLFIX,
        ciliumConfig("routing-mode", "native", "local-router-ipv4", "169.254.32.16")), T0).get(0);
    assertThat(sysctlfix.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(sysctlfix.summary()).contains("sysctlfix.enabled=false", "rp_filter");
  }

  @Test
  void overlayWithoutSysctlfixWarnsAndWithItIsFine() {
    assertThat(checks(VPC_CNI, CILIUM_WITHOUT_SYSCTLFIX, ciliumConfig("routing-mode", "tunnel")))
        .containsExactly("native-routing-config/sysctlfix-disabled-in-overlay");
    assertThat(checks(VPC_CNI, CILIUM_WITH_SYSCTLFIX, ciliumConfig("routing-mode", "tunnel"))).isEmpty();
    assertThat(checks(VPC_CNI, ciliumConfig("routing-mode", "tunnel")))
        .as("no Cilium DaemonSet seen: sysctlfix unknown, not absent").isEmpty();
  }

  @Test
  void hostRoutingAdviceExplainsAndDoesNotAlarm() {
    List<Finding> findings = doctor.detectAll(Fixtures.view(VPC_CNI, CILIUM_WITH_SYSCTLFIX, ciliumConfig(
        "routing-mode", "tunnel", "enable-ipv4-masquerade", "true", "enable-endpoint-routes", "true")), T0);

    assertThat(findings).extracting(f -> f.detectorId() + "/" + f.reason())
        .containsExactlyInAnyOrder("bpf-host-routing/iptables-masquerade", "bpf-host-routing/endpoint-routes");
    assertThat(findings).allMatch(f -> f.severity() == Severity.INFO && f.action() == PlannedAction.NONE);
    assertThat(checks(VPC_CNI, CILIUM_WITH_SYSCTLFIX, ciliumConfig("routing-mode", "tunnel",
        "enable-ipv4-masquerade", "true", "enable-bpf-masquerade", "true"))).as("BPF masquerade").isEmpty();
  }

  @Test
  void theBaseCniCanBePinnedWhenItsAgentsAreNotVisible() {
    DeploymentDoctorDetector pinned = new DeploymentDoctorDetector("global-router", "auto");

    assertThat(pinned.detectAll(Fixtures.view(ciliumConfig("cni-chaining-mode", "generic-veth", "tunnel",
        "disabled")), T0)).extracting(Finding::detectorId).containsExactly("unsupported-gr-native-routing");
  }
}
