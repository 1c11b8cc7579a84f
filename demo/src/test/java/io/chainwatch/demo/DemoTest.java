package io.chainwatch.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("slow")
class DemoTest {
  @Test
  void theTimelineShowsTheRacePodsFoundRestartedVerifiedOrPagedAndTheLaterPodsNot() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int exit = DemoMain.run(List.of(), new PrintStream(out, true, StandardCharsets.UTF_8));

    String timeline = out.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(timeline).isZero();
    assertThat(timeline)
        .containsPattern("Metrics, health and readiness: http://127\\.0\\.0\\.1:\\d+/metrics")
        .contains("node 10.0.0.11 joined WITHOUT the node.cilium.io/agent-not-ready taint")
        .contains("the runtime's CNI configuration is 10-tke-bridge.conflist")
        .containsPattern("The host: started \\S+; Cilium joined the chain on this node at \\S+ \\(05-cilium.conflist "
            + "written then\\)")
        .containsPattern("shop/web-7d9c6b5f4-x2k8p: found, missed the chain, planned action restart; verified: "
            + "shop/web-7d9c6b5f4-[a-z0-9]{5} replaced it and has its CiliumEndpoint")
        .containsPattern("shop/web-7d9c6b5f4-q9z7m: found, missed the chain, planned action restart; verified: "
            + "shop/web-7d9c6b5f4-[a-z0-9]{5} replaced it and has its CiliumEndpoint")
        .contains("shop/pay-5c6d7e8f9-t7k2m: found, missed the chain, planned action restart; paged: "
            + "PodDisruptionBudget pay-pdb refused the eviction 2 times")
        .contains("shop/report-28190-kq2z1: found, missed the chain, planned action page")
        .contains("wait (owner-in-flight)")
        .contains("budget-refused: PodDisruptionBudget pay-pdb refused evicting shop/pay-5c6d7e8f9-t7k2m")
        .contains("shop/api-5f6d7c8b9-h4k2j: not reported")
        .contains("shop/api-5f6d7c8b9-p8m3n: not reported")
        .contains("upgrade: the agent pod on 10.0.0.12 was replaced by")
        .contains("Cilium upgrade on 10.0.0.12 and 10.0.0.11: nothing new reported")
        .contains("before cilium-agent was first Ready on node 10.0.0.11: the CNI-chain race")
        .doesNotContain("REPORTED (wrong)");
    assertThat(timeline.lines().filter(line -> line.contains("FINDING") && line.contains("Pod shop/"))
        .map(line -> line.replaceFirst(".*Pod (shop/[^ ]+) .*", "$1")).distinct())
        .as("the replacements are not reported").hasSize(4);
    assertThat(timeline.lines().filter(line -> line.contains("OUTCOME    evicted:"))).hasSize(2);
    assertThat(timeline)
        // opened by the taint finding (titled by it while no pod has missed the chain), then the race pods join it
        .containsPattern("SLACK +root message posted: .* on node 10\\.0\\.0\\.11")
        .containsPattern("SLACK +root message (posted|edited): .*Pods missed the Cilium chain on node 10\\.0\\.0\\.11 "
            + "\\(4 pods\\)")
        .containsPattern("SLACK +thread reply: <!subteam\\^S0NETONCALL> .*needs a person")
        .containsPattern("KAFKA +io.chainwatch.finding.v1 +Pod/shop/web-7d9c6b5f4-x2k8p +key demo-")
        .containsPattern("KAFKA +io.chainwatch.remediation.outcome.v1")
        .containsPattern("Audit log \\(Kafka topic chainwatch.audit, CloudEvents\\): \\d+ records")
        .contains("rp-filter-reset@10.0.0.13: found, critical, action repair")
        .contains("DECISION   Node/10.0.0.13: repair (eligible) ask the probe on node 10.0.0.13 to write rp_filter "
            + "{lxc2b7e9f04=0, lxc8f3a2c1d=0}")
        .contains("rp_filter repair on 10.0.0.13: verified: rp_filter on node 10.0.0.13 is right again")
        .contains("rp_filter repair on 10.0.0.14: paged: node 10.0.0.14 is annotated chainwatch.io/remediation: "
            + "disabled")
        .contains("deployment doctor on 10.0.0.11: missing-agent-not-ready-taint, warning: In this CNI-chaining "
            + "cluster (generic-veth), node pool np-demo (node 10.0.0.11)")
        .contains("rp-filter-reset@10.0.0.14: found, critical, action repair")
        .contains("cilium-health-local-endpoint@10.0.0.14: found, critical, action page, branch "
            + "step-2-rp-filter-fix-not-applied")
        .containsPattern("Slack \\(#network-oncall\\): \\d+ root message\\(s\\)")
        .contains("kube-proxy-with-replacement: found, warning, action page")
        .contains("Node condition 10.0.0.13/RpFilterHealthy: False (CiliumInterfacesFiltered) → True (NoProblemFound)")
        .contains("Node condition 10.0.0.14/RpFilterHealthy: False (CiliumInterfacesFiltered)")
        .containsPattern("NODE COND +10.0.0.14/CiliumHealthLocalEndpointReachable = False");
    assertThat(timeline.lines().filter(line -> line.contains("FINDING") && line.contains("kube-proxy still runs")))
        .as("a Cilium upgrade does not clear and raise it again").hasSize(1);
    assertThat(timeline.lines().filter(line -> line.contains("FINDING") && line.contains("Node 10.0.0.14: rp_filter")))
        .as("a new report with the same facts is not a new finding").hasSize(1);
  }
}
