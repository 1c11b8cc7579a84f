package io.chainwatch.watcher.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.config.ChainwatchConfig;
import io.chainwatch.model.PolicySnapshot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WatchedKindsTest {
  @Test
  void kindsThatShareATableAreCountedApart() {
    ClusterState state = ClusterState.detached(AgentIdentity.from(ChainwatchConfig.defaults()));
    state.put(new PolicySnapshot(null, "deny-all", List.of(), List.of()));

    assertThat(state.sizes()).containsEntry("CiliumClusterwideNetworkPolicy", 1)
        .containsEntry("CiliumNetworkPolicy", 0).as("one entry per declared kind")
        .hasSize(WatchedKinds.ALL.size());
  }

  @Test
  @SuppressWarnings("unchecked")
  void theDecoderKeepsTheUnionOfWhatEveryKindDeclares() {
    Map<String, Object> kept = WatchedKinds.keptFields();
    Map<String, Object> status = (Map<String, Object>) kept.get("status");

    assertThat(status).containsKeys("phase", "podIP", "conditions", "state", "disruptionsAllowed");
    assertThat((Map<String, Object>) status.get("nodeInfo")).containsEntry("osImage", true);
    assertThat(kept).containsEntry("data", true).containsEntry("specs", true);
    assertThat((Map<String, Object>) kept.get("spec")).containsKeys("nodeName", "taints", "selector", "template",
        "endpointSelector");
  }

  @Test
  void aDumpsObjectIsMatchedByGroupAndKindWhateverItsVersion() {
    assertThat(WatchedKinds.of("cilium.io/v2alpha1", "CiliumEndpoint")).get()
        .extracting(WatchedKind::plural).isEqualTo("ciliumendpoints");
    assertThat(WatchedKinds.of("example.com/v1", "Pod")).isEmpty();
    assertThat(WatchedKinds.of("apps/v1", "Deployment")).isEmpty();
    assertThat(WatchedKinds.of(null, "Pod")).isEmpty();
  }
}
