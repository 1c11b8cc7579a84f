package io.chainwatch.watcher;

import io.chainwatch.model.NodeReport;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.watcher.view.NodeReports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Node reports as the probe writes them, built from the Cilium health fixtures, for detector tests. */
public final class Reports {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private Reports() {}

  /** The local node's element of a health fixture, as the probe keeps it. */
  public static JsonNode localHealth(String fixture) throws Exception {
    JsonNode status = JSON.readTree(Files.readString(Path.of("src/test/resources/cilium/health-api", fixture)));
    String local = status.path("local").path("name").asString();
    for (JsonNode node : status.path("nodes")) {
      if (local.equals(node.path("name").asString())) {
        return node;
      }
    }
    throw new IllegalArgumentException("no local node in " + fixture);
  }

  /** The annotation text. */
  public static String json(Instant observedAt, String uplink, Map<String, Integer> rpFilter, JsonNode health,
      String healthError) {
    ObjectNode report = JSON.createObjectNode();
    report.put("version", 1);
    report.put("observedAt", observedAt.toString());
    report.put("uplink", uplink);
    ObjectNode values = report.putObject("rpFilter");
    new TreeMap<>(rpFilter).forEach(values::put);
    report.set("ciliumHealth", health);
    if (healthError != null) {
      report.put("ciliumHealthError", healthError);
    }
    return report.toString();
  }

  public static NodeReport report(Instant observedAt, String uplink, Map<String, Integer> rpFilter, JsonNode health) {
    return NodeReports.parse(json(observedAt, uplink, rpFilter, health, null));
  }

  /** A Ready node created an hour before T0 carrying {@code report}. */
  public static NodeSnapshot node(String name, NodeReport report) {
    return new NodeSnapshot(name, Fixtures.T0.minusSeconds(3600), true, Map.of(), List.of(), Map.of(), report);
  }
}
