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

  /** One not-ready endpoint as the probe lists it. */
  public record NotReady(long id, String pod, String state, Instant since) {}

  /**
   * A Ready node {@code name} whose report, observed at {@code observedAt}, carries the agent's endpoints: every pod in
   * {@code pods} managed, {@code notReady} among them not ready.
   */
  public static NodeSnapshot nodeWithEndpoints(String name, Instant observedAt, List<String> pods,
      List<NotReady> notReady) {
    ObjectNode report = (ObjectNode) JSON.readTree(json(observedAt, "eth0", Map.of("all", 0), null, null));
    ObjectNode endpoints = report.putObject("endpoints");
    endpoints.put("total", pods.size() + 2);
    endpoints.putObject("byState").put("ready", pods.size() + 2 - notReady.size());
    var listed = endpoints.putArray("notReady");
    for (NotReady endpoint : notReady) {
      ObjectNode entry = listed.addObject();
      entry.put("id", endpoint.id());
      if (endpoint.pod().startsWith("reserved:")) {
        entry.put("reserved", endpoint.pod().substring("reserved:".length()));
      } else {
        entry.put("pod", endpoint.pod());
      }
      entry.put("state", endpoint.state()).put("since", endpoint.since().toString()).put("sinceFrom", "agent");
    }
    var podList = endpoints.putArray("pods");
    pods.stream().sorted().forEach(podList::add);
    return new NodeSnapshot(name, Fixtures.T0.minusSeconds(3600), true, Map.of("kubernetes.io/hostname", name),
        List.of(), Map.of(), NodeReports.parse(report.toString()));
  }

  /** Like {@link #nodeWithEndpoints} with the section replaced by {@code section} verbatim. */
  public static NodeSnapshot nodeWithEndpointsSection(String name, Instant observedAt, String section) {
    ObjectNode report = (ObjectNode) JSON.readTree(json(observedAt, "eth0", Map.of("all", 0), null, null));
    report.set("endpoints", JSON.readTree(section));
    return new NodeSnapshot(name, Fixtures.T0.minusSeconds(3600), true, Map.of("kubernetes.io/hostname", name),
        List.of(), Map.of(), NodeReports.parse(report.toString()));
  }
}
