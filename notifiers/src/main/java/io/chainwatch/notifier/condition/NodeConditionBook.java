package io.chainwatch.notifier.condition;

import io.chainwatch.model.Finding;
import io.chainwatch.model.Severity;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which Node conditions chainwatch's node-level verdicts set, and which of them are not on the Node yet (pure: the
 * verticle feeds it findings and write results and writes what it returns).
 *
 * <p>A condition is {@code False} while a node finding of one of its detectors is open, {@code Unknown} when it needs the
 * node's probe and the node has no report, else {@code True}. Only findings about the Node itself count (a pod that
 * missed the chain is not a node whose chain is broken now).
 */
public final class NodeConditionBook {
  /** The conditions chainwatch sets, and the detectors whose node findings make each False. */
  public enum Type {
    CILIUM_CHAIN("CiliumChainHealthy", Set.of("cilium-not-in-chain", "missed-cilium-chain"), true,
        "the CNI configuration in use runs Cilium and the node's agent is Ready"),
    RP_FILTER("RpFilterHealthy", Set.of("rp-filter-reset"), true, "rp_filter lets pod traffic through"),
    HEALTH_ENDPOINT("CiliumHealthLocalEndpointReachable", Set.of("cilium-health-local-endpoint"), true,
        "cilium-health reaches the node's own health endpoint"),
    IPAM("CiliumIpamHealthy", Set.of("ipam-exhausted"), false, "pods get addresses from Cilium's IPAM"),
    ENDPOINTS("CiliumEndpointsHealthy", Set.of("endpoint-stuck"), true,
        "cilium-agent brings the node's endpoints to ready");

    private final String conditionType;
    private final Set<String> detectors;
    private final boolean needsProbe;
    private final String healthy;

    Type(String conditionType, Set<String> detectors, boolean needsProbe, String healthy) {
      this.conditionType = conditionType;
      this.detectors = detectors;
      this.needsProbe = needsProbe;
      this.healthy = healthy;
    }

    public String conditionType() {
      return conditionType;
    }

    static Type of(String detectorId) {
      for (Type type : values()) {
        if (type.detectors.contains(detectorId)) {
          return type;
        }
      }
      return null;
    }
  }

  /** One condition as chainwatch wants it on the Node (times are the writer's). */
  public record Condition(String type, String status, String reason, String message) {
    public Condition {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(status, "status");
      message = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
    }
  }

  /** A node chainwatch judges, and whether its probe reports (conditions from the host need it). */
  public record Subject(String node, boolean probeReports) {}

  static final int MAX_MESSAGE = 1024;

  /** Open node findings by node, condition type and finding key. */
  private final Map<String, Map<Type, Map<String, Finding>>> open = new HashMap<>();
  /** What is on each Node as far as chainwatch knows (written or found there). */
  private final Map<String, Map<String, Condition>> onNode = new HashMap<>();

  /** A finding came or changed; only node findings of the condition detectors count. */
  public void onFinding(Finding finding) {
    Type type = Type.of(finding.detectorId());
    if (type == null || !"Node".equals(finding.resource().kind())) {
      return;
    }
    open.computeIfAbsent(finding.resource().name(), n -> new java.util.EnumMap<>(Type.class))
        .computeIfAbsent(type, t -> new LinkedHashMap<>()).put(key(finding), finding);
  }

  public void onCleared(Finding finding) {
    Type type = Type.of(finding.detectorId());
    if (type == null || !"Node".equals(finding.resource().kind())) {
      return;
    }
    Map<Type, Map<String, Finding>> byType = open.get(finding.resource().name());
    if (byType != null && byType.containsKey(type)) {
      byType.get(type).remove(key(finding));
      if (byType.get(type).isEmpty()) {
        byType.remove(type);
      }
      if (byType.isEmpty()) {
        open.remove(finding.resource().name());
      }
    }
  }

  private static String key(Finding finding) {
    return finding.detectorId() + "|" + finding.resource().key();
  }

  /** The conditions chainwatch wants on {@code subject}'s Node now. */
  public List<Condition> desired(Subject subject) {
    List<Condition> conditions = new ArrayList<>();
    Map<Type, Map<String, Finding>> byType = open.getOrDefault(subject.node(), Map.of());
    for (Type type : Type.values()) {
      Map<String, Finding> findings = byType.getOrDefault(type, Map.of());
      if (!findings.isEmpty()) {
        Finding worst = findings.values().stream()
            .max(java.util.Comparator.comparing((Finding f) -> f.severity() == Severity.CRITICAL)).orElseThrow();
        conditions.add(new Condition(type.conditionType, "False", camel(worst.reason()),
            "chainwatch " + worst.detectorId() + ": " + worst.summary()));
      } else if (type.needsProbe && !subject.probeReports()) {
        conditions.add(new Condition(type.conditionType, "Unknown", "NoProbeReport",
            "chainwatch cannot judge this without its node probe's report (is the probe DaemonSet running here?)"));
      } else {
        conditions.add(new Condition(type.conditionType, "True", "NoProblemFound",
            "chainwatch found no problem: " + type.healthy));
      }
    }
    return conditions;
  }

  /**
   * The nodes whose Node does not carry what chainwatch wants, with the conditions to write; with {@code withTrue}
   * false only the False ones (before the first judgement has settled, only problems are written).
   */
  public Map<String, List<Condition>> pending(Collection<Subject> subjects, boolean withTrue) {
    Map<String, List<Condition>> pending = new LinkedHashMap<>();
    for (Subject subject : subjects) {
      List<Condition> wanted = desired(subject);
      if (!withTrue) {
        wanted = wanted.stream().filter(c -> c.status().equals("False")).toList();
      }
      Map<String, Condition> there = onNode.getOrDefault(subject.node(), Map.of());
      if (wanted.stream().anyMatch(c -> !c.equals(there.get(c.type())))) {
        pending.put(subject.node(), wanted);
      }
    }
    return pending;
  }

  /** The Node now carries these conditions (written, or found there already). */
  public void onNode(String node, List<Condition> conditions) {
    Map<String, Condition> there = onNode.computeIfAbsent(node, n -> new HashMap<>());
    conditions.forEach(condition -> there.put(condition.type(), condition));
  }

  /** The node is gone: forget it. */
  public void forget(String node) {
    onNode.remove(node);
    open.remove(node);
  }

  /** What chainwatch knows is on the Nodes: a new leader starts from nothing and reads each Node before writing. */
  public void forgetWhatIsOnNodes() {
    onNode.clear();
  }

  /** {@code cilium-not-in-active-chain} → {@code CiliumNotInActiveChain}: the form Kubernetes reasons take. */
  static String camel(String reason) {
    StringBuilder out = new StringBuilder();
    boolean upper = true;
    for (char c : reason.toCharArray()) {
      if (c == '-' || c == '_' || c == ' ' || c == '.') {
        upper = true;
      } else if (Character.isLetterOrDigit(c)) {
        out.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return out.length() == 0 ? "Unspecified" : out.toString();
  }
}
