package io.chainwatch.notifier.incident;

import io.chainwatch.model.DetectorText;
import java.util.Map;

/** The texts the watcher hands over, as far as these tests read them (the real ones live with each detector). */
public final class TestTexts {
  public static final DetectorTexts TEXTS = DetectorTexts.of(Map.of(
      "missed-cilium-chain", new DetectorText("Pods missed the Cilium chain", "Restart the affected pods and add the "
          + "node.cilium.io/agent-not-ready=true:NoSchedule taint to the node pool."),
      "missing-agent-not-ready-taint", new DetectorText("Node joined without the agent-not-ready taint",
          "Add the taint to the node pool's template.")));

  private TestTexts() {}
}
