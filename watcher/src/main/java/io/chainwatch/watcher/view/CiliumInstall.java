package io.chainwatch.watcher.view;

import java.util.List;
import java.util.Objects;

/**
 * Where Cilium was found, from which objects, and whether two installs disagree.
 *
 * @param namespace Cilium's namespace; {@code null} when nothing shows Cilium, or on a conflict
 * @param signals the objects it was read from (or "configured ciliumNamespace=...")
 * @param conflict why no single install could be chosen, {@code null} when there is none
 * @param pins the configuration's pins (chaining mode, taint key)
 */
public record CiliumInstall(String namespace, List<String> signals, String conflict, AgentIdentity pins) {
  public CiliumInstall {
    signals = List.copyOf(signals);
    Objects.requireNonNull(pins, "pins");
  }

  /** One line for logs and scan's summary. */
  public String describe() {
    if (conflict != null) {
      return "conflict: " + conflict;
    }
    if (namespace == null) {
      return "not found (no agent pods labelled " + pins.agentSelector() + ", no agent DaemonSet, no ConfigMap "
          + pins.configMapName() + ")";
    }
    return "namespace " + namespace + " (" + String.join("; ", signals) + ")";
  }
}
