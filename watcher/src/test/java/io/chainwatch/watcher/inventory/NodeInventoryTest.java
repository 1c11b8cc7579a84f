package io.chainwatch.watcher.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.NodeReport;
import io.chainwatch.model.NodeSnapshot;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeInventoryTest {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
  private final NodeInventory inventory = new NodeInventory("prod-eu-1");

  private static NodeSnapshot node(String name, String osImage, NodeReport report) {
    return new NodeSnapshot(name, T0, true, Map.of("eks.amazonaws.com/nodegroup", "np-web"), List.of(), Map.of(),
        report, List.of(), osImage, "6.1.102", "v1.30.2");
  }

  @Test
  void eachNodeIsPublishedOnceThenOnlyWhenItsFactsChangeAndATombstoneWhenItGoes() {
    List<NodeInventory.Change> first = inventory.changes(List.of(node("n1", "Ubuntu 22.04.4 LTS", null),
        node("n2", "Ubuntu 22.04.4 LTS", null)), "1.16.5");

    assertThat(first).extracting(NodeInventory.Change::key).containsExactlyInAnyOrder("prod-eu-1/n1", "prod-eu-1/n2");
    JsonObject value = new JsonObject(first.stream().filter(c -> c.node().equals("n1")).findFirst().orElseThrow()
        .value());
    assertThat(value.getMap()).containsEntry("schemaVersion", 1).containsEntry("cluster", "prod-eu-1")
        .containsEntry("node", "n1").containsEntry("nodePool", "np-web").containsEntry("osImage", "Ubuntu 22.04.4 LTS")
        .containsEntry("kernel", "6.1.102").containsEntry("kubelet", "v1.30.2").containsEntry("ciliumVersion", "1.16.5")
        .containsEntry("probeReports", false);

    // the same view again (a probe heartbeat changes nothing the fleet compares): nothing
    assertThat(inventory.changes(List.of(node("n1", "Ubuntu 22.04.4 LTS", null), node("n2", "Ubuntu 22.04.4 LTS",
        null)), "1.16.5")).isEmpty();

    // n1 upgraded its OS, n2 left: one record and one tombstone
    List<NodeInventory.Change> later = inventory.changes(List.of(node("n1", "Ubuntu 24.04.1 LTS", null)), "1.16.5");
    assertThat(later).hasSize(2);
    assertThat(later).filteredOn(c -> c.node().equals("n2")).singleElement()
        .satisfies(c -> assertThat(c.value()).isNull());
    assertThat(new JsonObject(later.stream().filter(c -> c.node().equals("n1")).findFirst().orElseThrow().value())
        .getString("osImage")).isEqualTo("Ubuntu 24.04.1 LTS");

    // a Cilium upgrade changes every node's record
    assertThat(inventory.changes(List.of(node("n1", "Ubuntu 24.04.1 LTS", null)), "1.17.0")).hasSize(1);
  }

  @Test
  void aNewLeaderPublishesEveryNodeAgain() {
    inventory.changes(List.of(node("n1", "Ubuntu 22.04.4 LTS", null)), "1.16.5");

    inventory.forget();

    assertThat(inventory.changes(List.of(node("n1", "Ubuntu 22.04.4 LTS", null)), "1.16.5")).hasSize(1);
  }
}
