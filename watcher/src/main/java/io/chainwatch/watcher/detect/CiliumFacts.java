package io.chainwatch.watcher.detect;

import io.chainwatch.watcher.view.AgentIdentity;
import io.chainwatch.watcher.view.ClusterView;
import java.util.Locale;
import java.util.Map;

/**
 * What Cilium's own configuration (or a configuration pin) says about CNI chaining and the agent-not-ready taint.
 *
 * <p>Chaining means another CNI owns the pod network and Cilium is appended to its chain (cilium-cni's chainers
 * {@code aws-cni}, {@code generic-veth}, {@code flannel}, the legacy {@code azure}; and {@code cni-chaining-target},
 * which the chart turns into {@code generic-veth}). Two values are not chaining: {@code none}, and {@code portmap},
 * whose chainer implements no ADD of its own (plugins/cilium-cni/chaining/portmap): Cilium is the primary CNI and the
 * portmap plugin only follows it for hostPort (RKE2's default install). Only chaining has the race.
 *
 * @param chainingMode the chaining mode when Cilium is chained, {@code null} when it is the primary CNI
 * @param chainingSignal where that was read
 * @param taintKey the agent-not-ready taint key this cluster uses
 * @param taintKeySignal where that was read
 */
public record CiliumFacts(String chainingMode, String chainingSignal, String taintKey, String taintKeySignal) {
  public static final String DEFAULT_TAINT_KEY = "node.cilium.io/agent-not-ready";

  /** The last answer and what it was computed from: asked on every evaluation, it changes with cilium-config only. */
  private static volatile Cached last;

  private record Cached(AgentIdentity pins, Object config, CiliumFacts facts) {}

  public static CiliumFacts of(ClusterView view) {
    AgentIdentity pins = view.cilium().pins();
    Object config = view.ciliumConfig().orElse(null);
    Cached cached = last;
    if (cached != null && cached.pins() == pins && cached.config() == config) {
      return cached.facts();
    }
    CiliumFacts facts = compute(view, pins);
    last = new Cached(pins, config, facts);
    return facts;
  }

  private static CiliumFacts compute(ClusterView view, AgentIdentity pins) {
    Map<String, String> config = view.ciliumConfig().map(c -> c.data()).orElse(Map.of());
    String where = view.ciliumConfig().map(c -> "cilium-config (" + c.namespace() + "/" + c.name() + ")")
        .orElse("cilium-config");
    String mode;
    String modeSignal;
    if (!AgentIdentity.AUTO.equals(pins.chainingMode())) {
      mode = primaryOrMode(pins.chainingMode());
      modeSignal = "configured chainingMode=" + pins.chainingMode();
    } else {
      String configured = config.getOrDefault("cni-chaining-mode", "").trim();
      String target = config.getOrDefault("cni-chaining-target", "").trim();
      mode = primaryOrMode(configured);
      if (mode == null && !target.isEmpty() && !configured.equalsIgnoreCase("portmap")) {
        mode = "generic-veth";
        modeSignal = where + " cni-chaining-target=" + target + " (implies generic-veth)";
      } else {
        modeSignal = where + " cni-chaining-mode=" + (configured.isEmpty() ? "(unset)" : configured);
      }
    }
    String taintKey;
    String taintSignal;
    if (!AgentIdentity.AUTO.equals(pins.taintKey())) {
      taintKey = pins.taintKey();
      taintSignal = "configured agentNotReadyTaintKey=" + taintKey;
    } else {
      String configured = config.getOrDefault("agent-not-ready-taint-key", "").trim();
      taintKey = configured.isEmpty() ? DEFAULT_TAINT_KEY : configured;
      taintSignal = configured.isEmpty() ? "Cilium's default (" + where + " sets no agent-not-ready-taint-key)"
          : where + " agent-not-ready-taint-key";
    }
    return new CiliumFacts(mode, modeSignal, taintKey, taintSignal);
  }

  /** {@code null} for values that leave Cilium the primary CNI, else the chaining mode. */
  private static String primaryOrMode(String value) {
    String mode = value.trim().toLowerCase(Locale.ROOT);
    return mode.isEmpty() || mode.equals("none") || mode.equals("portmap") ? null : value.trim();
  }

  public boolean chained() {
    return chainingMode != null;
  }

  /** Whether a node taint string ({@code key=value:effect} or {@code key:effect}) carries this cluster's key. */
  public boolean isAgentNotReadyTaint(String taint) {
    int end = taint.length();
    for (char separator : new char[] {'=', ':'}) {
      int at = taint.indexOf(separator);
      if (at >= 0 && at < end) {
        end = at;
      }
    }
    return taint.substring(0, end).equals(taintKey);
  }
}
