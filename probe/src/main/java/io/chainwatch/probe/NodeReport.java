package io.chainwatch.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code chainwatch.io/node-report} annotation, a contract (README): {@code version}, {@code observedAt},
 * {@code uplink}, {@code rpFilter}, {@code ciliumHealth} (the local node's element of cilium-health's {@code nodes[]},
 * verbatim, or {@code null}) and {@code ciliumHealthError} (only when cilium-health could not be read). Added fields:
 * {@code rpFilterErrors} (only when a value could not be read), {@code repair} (the answer to the last repair request:
 * {@code id}, {@code at}, {@code written}, {@code errors} or {@code refused}), {@code cni}, {@code sysctl},
 * {@code endpoints} (cilium-agent's endpoints here, {@link AgentEndpointsClient}).
 */
public final class NodeReport {
  public static final String ANNOTATION = "chainwatch.io/node-report";
  public static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectNode json;

  private NodeReport(ObjectNode json) {
    this.json = json;
  }

  public static NodeReport of(Instant observedAt, String uplink, Map<String, Integer> rpFilter,
      Map<String, String> rpFilterErrors, HealthReading health) {
    return of(observedAt, uplink, rpFilter, rpFilterErrors, health, null);
  }

  /** @param repair the answer to the last repair request, {@code null} when none was handled */
  public static NodeReport of(Instant observedAt, String uplink, Map<String, Integer> rpFilter,
      Map<String, String> rpFilterErrors, HealthReading health, JsonNode repair) {
    return of(observedAt, uplink, rpFilter, rpFilterErrors, health, repair, null, null);
  }

  /** @param cni the CNI configuration the runtime uses ({@link CniChainReader}), {@code null} when not read */
  public static NodeReport of(Instant observedAt, String uplink, Map<String, Integer> rpFilter,
      Map<String, String> rpFilterErrors, HealthReading health, JsonNode repair, JsonNode cni) {
    return of(observedAt, uplink, rpFilter, rpFilterErrors, health, repair, cni, null);
  }

  /** @param sysctl where rp_filter settings come from ({@link SysctlProvenance}), {@code null} when not read */
  public static NodeReport of(Instant observedAt, String uplink, Map<String, Integer> rpFilter,
      Map<String, String> rpFilterErrors, HealthReading health, JsonNode repair, JsonNode cni, JsonNode sysctl) {
    ObjectNode json = JSON.createObjectNode();
    json.put("version", VERSION);
    json.put("observedAt", observedAt.toString());
    json.put("uplink", uplink);
    ObjectNode values = json.putObject("rpFilter");
    new TreeMap<>(rpFilter).forEach(values::put);
    if (!rpFilterErrors.isEmpty()) {
      ObjectNode errors = json.putObject("rpFilterErrors");
      new TreeMap<>(rpFilterErrors).forEach(errors::put);
    }
    json.set("ciliumHealth", health.localNode());
    if (health.error() != null) {
      json.put("ciliumHealthError", health.error());
    }
    if (repair != null) {
      json.set("repair", repair);
    }
    if (cni != null) {
      json.set("cni", cni);
    }
    if (sysctl != null) {
      json.set("sysctl", sysctl);
    }
    return new NodeReport(json);
  }

  /**
   * This report with the endpoints cilium-agent manages here ({@link AgentEndpointsClient}); unchanged when
   * {@code endpoints} is {@code null} (the probe does not ask the agent).
   */
  public NodeReport withEndpoints(JsonNode endpoints) {
    if (endpoints == null) {
      return this;
    }
    ObjectNode copy = json.deepCopy();
    copy.set("endpoints", endpoints);
    return new NodeReport(copy);
  }

  /** The annotation value. */
  public String text() {
    return json.toString();
  }

  /**
   * What counts as a change worth a write: everything except the observation time and cilium-health's latencies and
   * probe times, which move on every probe and would otherwise cost an API write per node per minute.
   */
  public String changeSignature() {
    ObjectNode copy = json.deepCopy();
    copy.remove("observedAt");
    strip(copy.get("ciliumHealth"));
    return copy.toString();
  }

  private static void strip(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.remove("latency");
      object.remove("lastProbed");
      object.forEach(NodeReport::strip);
    } else if (node != null && node.isArray()) {
      node.forEach(NodeReport::strip);
    }
  }
}
