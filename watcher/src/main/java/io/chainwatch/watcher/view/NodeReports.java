package io.chainwatch.watcher.view;

import io.chainwatch.model.NodeReport;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the {@code chainwatch.io/node-report} annotation (the contract the probe writes, see README) into a
 * {@link NodeReport}. A report that does not fit is kept as {@link NodeReport#unreadable} with a message naming the
 * field, so the node keeps its snapshot and detectors can say the node is not reported.
 */
public final class NodeReports {
  public static final String ANNOTATION = "chainwatch.io/node-report";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int MAX_LENGTH = 256 * 1024;

  private NodeReports() {}

  public static NodeReport parse(String text) {
    if (text.length() > MAX_LENGTH) {
      return NodeReport.unreadable(ANNOTATION + " is " + text.length() + " characters, more than " + MAX_LENGTH);
    }
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JacksonException e) {
      return NodeReport.unreadable(ANNOTATION + " is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      return NodeReport.unreadable(ANNOTATION + " must be a JSON object");
    }
    if (root.path("version").asInt(-1) != 1) {
      return NodeReport.unreadable(ANNOTATION + " version must be 1, got " + root.get("version"));
    }
    Instant observedAt;
    try {
      observedAt = Instant.parse(root.path("observedAt").asString(""));
    } catch (DateTimeParseException e) {
      return NodeReport.unreadable(ANNOTATION + " observedAt must be an RFC 3339 time, got "
          + root.get("observedAt"));
    }
    Map<String, Integer> rpFilter = new LinkedHashMap<>();
    JsonNode values = root.path("rpFilter");
    if (!values.isObject()) {
      return NodeReport.unreadable(ANNOTATION + " rpFilter must be an object, got " + values);
    }
    for (Map.Entry<String, JsonNode> value : values.properties()) {
      if (!value.getValue().isInt() || value.getValue().asInt() < 0 || value.getValue().asInt() > 2) {
        return NodeReport.unreadable(ANNOTATION + " rpFilter." + value.getKey() + " must be 0, 1 or 2, got "
            + value.getValue());
      }
      rpFilter.put(value.getKey(), value.getValue().asInt());
    }
    JsonNode health = root.get("ciliumHealth");
    String healthError = root.hasNonNull("ciliumHealthError") ? root.get("ciliumHealthError").asString() : null;
    String uplink = root.hasNonNull("uplink") ? root.get("uplink").asString() : null;
    return new NodeReport(observedAt, uplink, rpFilter,
        health == null || health.isNull() ? null : localHealth(health), healthError, null,
        repairAnswer(root.get("repair")), cniChain(root.get("cni")), sysctlSources(root.get("sysctl")),
        agentEndpoints(root.get("endpoints")));
  }

  /** Pods listed at most: a node runs a few hundred; a report claiming more is cut (and says it was). */
  private static final int MAX_PODS = 8192;
  private static final int MAX_NOT_READY = 256;

  /**
   * The endpoints cilium-agent manages on the node; a malformed section becomes an error that says what is wrong, so
   * that no detector concludes anything from it (a pod "missing" from a list that did not parse proves nothing).
   */
  static NodeReport.AgentEndpoints agentEndpoints(JsonNode endpoints) {
    if (endpoints == null || endpoints.isNull()) {
      return null;
    }
    if (!endpoints.isObject()) {
      return NodeReport.AgentEndpoints.failed(ANNOTATION + " endpoints must be an object, got "
          + abbreviate(endpoints.toString()));
    }
    if (endpoints.hasNonNull("error")) {
      return NodeReport.AgentEndpoints.failed(abbreviate(endpoints.get("error").asString("")));
    }
    if (!endpoints.path("total").isInt() || !endpoints.path("pods").isArray()
        || !endpoints.path("notReady").isArray()) {
      return NodeReport.AgentEndpoints.failed(ANNOTATION + " endpoints must hold total, notReady and pods");
    }
    Map<String, Integer> byState = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> state : endpoints.path("byState").properties()) {
      if (byState.size() < 32 && state.getValue().isInt()) {
        byState.put(abbreviate(state.getKey()), state.getValue().asInt());
      }
    }
    List<NodeReport.AgentEndpoint> notReady = new ArrayList<>();
    int notReadyOmitted = Math.max(0, endpoints.path("notReadyOmitted").asInt(0));
    for (JsonNode entry : endpoints.get("notReady")) {
      if (notReady.size() == MAX_NOT_READY) {
        notReadyOmitted++;
        continue;
      }
      Instant since;
      try {
        since = Instant.parse(entry.path("since").asString(""));
      } catch (DateTimeParseException e) {
        return NodeReport.AgentEndpoints.failed(ANNOTATION + " endpoints.notReady[].since must be an RFC 3339 time, "
            + "got " + abbreviate(String.valueOf(entry.get("since"))));
      }
      if (!entry.path("id").isNumber() || !entry.path("state").isString()) {
        return NodeReport.AgentEndpoints.failed(ANNOTATION + " endpoints.notReady[] must have an id and a state, got "
            + abbreviate(entry.toString()));
      }
      notReady.add(new NodeReport.AgentEndpoint(entry.get("id").asLong(), podName(entry.get("pod")),
          entry.hasNonNull("reserved") ? abbreviate(entry.get("reserved").asString("")) : null,
          abbreviate(entry.get("state").asString()), since, entry.path("sinceFrom").asString("probe")));
    }
    java.util.Set<String> pods = new java.util.HashSet<>();
    int podsOmitted = Math.max(0, endpoints.path("podsOmitted").asInt(0));
    for (JsonNode pod : endpoints.get("pods")) {
      String name = podName(pod);
      if (name == null) {
        return NodeReport.AgentEndpoints.failed(ANNOTATION + " endpoints.pods[] must be namespace/name, got "
            + abbreviate(pod.toString()));
      }
      if (pods.size() == MAX_PODS) {
        podsOmitted++;
      } else {
        pods.add(name);
      }
    }
    return new NodeReport.AgentEndpoints(endpoints.get("total").asInt(), byState, notReady, notReadyOmitted, pods,
        podsOmitted, null);
  }

  /** {@code namespace/name} as a pod's key, or {@code null} when the value is no such text. */
  private static String podName(JsonNode pod) {
    if (pod == null || !pod.isString()) {
      return null;
    }
    String text = pod.asString();
    int slash = text.indexOf('/');
    return slash > 0 && slash < text.length() - 1 && text.length() <= 317 && text.indexOf('/', slash + 1) < 0
        ? text : null;
  }

  private static final int MAX_LISTED = 16;

  /**
   * The CNI configuration the probe read; a malformed element becomes an error that says what is wrong (and no
   * detector concludes anything from it).
   */
  static NodeReport.CniChain cniChain(JsonNode cni) {
    if (cni == null || cni.isNull()) {
      return null;
    }
    if (!cni.isObject()) {
      return broken("cni must be an object, got " + abbreviate(cni.toString()));
    }
    if (cni.hasNonNull("error")) {
      return new NodeReport.CniChain(null, List.of(), null, null, null, texts(cni.get("problems")),
          abbreviate(cni.get("error").asString("")));
    }
    JsonNode cilium = cni.get("cilium");
    if (cilium != null && !cilium.isNull() && !cilium.isBoolean()) {
      return broken("cni.cilium must be true, false or null, got " + abbreviate(cilium.toString()));
    }
    if (!cni.path("file").isString() || !cni.path("plugins").isArray()) {
      return broken("cni must name its file and list its plugins");
    }
    Instant modifiedAt;
    Instant seenSince;
    try {
      modifiedAt = cni.hasNonNull("modifiedAt") ? Instant.parse(cni.get("modifiedAt").asString("")) : null;
      seenSince = cni.hasNonNull("seenSince") ? Instant.parse(cni.get("seenSince").asString("")) : null;
    } catch (DateTimeParseException e) {
      return broken("cni.modifiedAt and cni.seenSince must be RFC 3339 times, got " + cni.get("modifiedAt") + " and "
          + cni.get("seenSince"));
    }
    return new NodeReport.CniChain(abbreviate(cni.get("file").asString()), texts(cni.get("plugins")),
        cilium == null || cilium.isNull() ? null : cilium.asBoolean(), modifiedAt, seenSince,
        texts(cni.get("problems")), null);
  }

  /** Where rp_filter settings come from; a malformed element is left out (nothing is concluded from it). */
  static NodeReport.SysctlSources sysctlSources(JsonNode sysctl) {
    if (sysctl == null || !sysctl.isObject() || !sysctl.path("rpFilter").isArray()) {
      return null;
    }
    List<NodeReport.SysctlSources.Assignment> assignments = new ArrayList<>();
    for (JsonNode entry : sysctl.get("rpFilter")) {
      if (assignments.size() == 64) {
        break;
      }
      if (!entry.path("file").isString() || !entry.path("key").isString() || !entry.path("line").isInt()) {
        return null;
      }
      assignments.add(new NodeReport.SysctlSources.Assignment(abbreviate(entry.get("file").asString()),
          entry.get("line").asInt(), abbreviate(entry.get("key").asString()),
          entry.path("exclude").asBoolean(false) ? null : abbreviate(entry.path("value").asString(""))));
    }
    return new NodeReport.SysctlSources(assignments, sysctl.path("ciliumOverride").asBoolean(false),
        texts(sysctl.get("problems")));
  }

  private static NodeReport.CniChain broken(String why) {
    return new NodeReport.CniChain(null, List.of(), null, null, null, List.of(), ANNOTATION + " " + why);
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    if (array != null && array.isArray()) {
      for (JsonNode element : array) {
        if (texts.size() == MAX_LISTED) {
          break;
        }
        texts.add(abbreviate(element.asString(element.toString())));
      }
    }
    return texts;
  }

  /**
   * The probe's answer to a repair request; a malformed one is kept as a refusal that says what is wrong, so that the
   * repair's outcome names it instead of waiting for an answer that never parses.
   */
  static NodeReport.RepairAnswer repairAnswer(JsonNode repair) {
    if (repair == null || repair.isNull()) {
      return null;
    }
    String id = repair.path("id").isString() ? repair.get("id").asString() : null;
    if (!repair.isObject() || id == null || id.isEmpty()) {
      return new NodeReport.RepairAnswer(id == null ? "" : id, null, Map.of(), Map.of(),
          ANNOTATION + " repair must be an object with an id, got " + abbreviate(repair.toString()));
    }
    Instant at = null;
    if (repair.hasNonNull("at")) {
      try {
        at = Instant.parse(repair.get("at").asString(""));
      } catch (DateTimeParseException e) {
        return new NodeReport.RepairAnswer(id, null, Map.of(), Map.of(),
            ANNOTATION + " repair.at must be an RFC 3339 time, got " + repair.get("at"));
      }
    }
    Map<String, Integer> written = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> value : repair.path("written").properties()) {
      if (!value.getValue().isInt()) {
        return new NodeReport.RepairAnswer(id, at, Map.of(), Map.of(),
            ANNOTATION + " repair.written." + value.getKey() + " must be an integer, got " + value.getValue());
      }
      written.put(value.getKey(), value.getValue().asInt());
    }
    Map<String, String> errors = new LinkedHashMap<>();
    repair.path("errors").properties().forEach(error -> errors.put(error.getKey(), error.getValue().asString("")));
    String refused = repair.hasNonNull("refused") ? repair.get("refused").asString("") : null;
    return new NodeReport.RepairAnswer(id, at, written, errors, refused);
  }

  private static String abbreviate(String text) {
    return text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }

  /** The local node's health endpoint, counted by upstream's rules (pkg/health/client). */
  static NodeReport.LocalHealth localHealth(JsonNode node) {
    List<JsonNode> addresses = new ArrayList<>();
    JsonNode endpoint = node.get("health-endpoint");
    if (endpoint != null && endpoint.isObject()) {
      if (endpoint.get("primary-address") != null && endpoint.get("primary-address").isObject()) {
        addresses.add(endpoint.get("primary-address"));
      }
      endpoint.path("secondary-addresses").forEach(addresses::add);
    } else if (node.get("endpoint") != null && node.get("endpoint").isObject()) {
      addresses.add(node.get("endpoint")); // before health-endpoint existed
    }
    if (addresses.isEmpty()) {
      return new NodeReport.LocalHealth(false, 0, 0, 0, List.of());
    }
    int reachable = 0;
    int unreachable = 0;
    int unknown = 0;
    List<String> errors = new ArrayList<>();
    for (JsonNode path : addresses) {
      String icmp = status(path.get("icmp"));
      String http = status(path.get("http"));
      String error = icmp != null && !icmp.isEmpty() ? icmp : http != null && !http.isEmpty() ? http : null;
      if (error != null) {
        unreachable++;
        errors.add(path.path("ip").asString("?") + ": " + error);
      } else if (icmp == null || http == null) {
        unknown++;
      } else {
        reachable++;
      }
    }
    return new NodeReport.LocalHealth(true, reachable, unreachable, unknown, errors);
  }

  /** {@code null}: unknown (no result); empty: reachable; otherwise the error. */
  private static String status(JsonNode connectivity) {
    if (connectivity == null || !connectivity.isObject()) {
      return null;
    }
    JsonNode status = connectivity.get("status");
    return status == null || status.isNull() ? "" : status.asString();
  }
}
