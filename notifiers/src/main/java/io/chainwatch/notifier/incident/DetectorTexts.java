package io.chainwatch.notifier.incident;

import io.chainwatch.model.DetectorText;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a person reads for each detector's incidents: its title and runbook step. The detectors declare theirs (the
 * watcher hands them over at start); the notifiers add their own for what they raise themselves.
 */
public final class DetectorTexts {
  /** Incidents the notifiers and remediation raise, and the group the host detectors share. */
  private static final Map<String, DetectorText> OWN = Map.of(
      "host-network", new DetectorText("Host network broken for pods", ""),
      "remediation", new DetectorText("Remediation stopped", "Many pods missed the chain at once: check cilium-agent "
          + "on the affected nodes (kubectl -n kube-system get pods -l k8s-app=cilium -o wide) and the node pools' "
          + "agent-not-ready taint before resetting the breaker."),
      "kafka-spool", new DetectorText("Kafka spool nearly full", "Check the Kafka brokers and chainwatch's network "
          + "path to them; audit records are dropped once the spool is full."),
      "kafka-delivery", new DetectorText("Audit records lost", "Check the spool's disk, the record size limits and "
          + "the topics' ACLs; refused records are in the dead-letter file next to the spool."));

  private final Map<String, DetectorText> texts;

  private DetectorTexts(Map<String, DetectorText> texts) {
    this.texts = texts;
  }

  /** The detectors' own texts, with the notifiers' added. */
  public static DetectorTexts of(Map<String, DetectorText> detectors) {
    Map<String, DetectorText> all = new LinkedHashMap<>(OWN);
    detectors.forEach((id, text) -> all.put(id, Objects.requireNonNull(text, id)));
    return new DetectorTexts(Map.copyOf(all));
  }

  /** Only the notifiers' own texts: detectors are titled by their id. */
  public static DetectorTexts own() {
    return of(Map.of());
  }

  public String title(String detectorId) {
    DetectorText text = texts.get(detectorId);
    return text == null ? detectorId : text.title();
  }

  /** What explains this detector's findings across clusters (Cilium's version when it declares nothing else). */
  public io.chainwatch.model.FleetDimension fleetDimension(String detectorId) {
    DetectorText text = texts.get(detectorId);
    return text == null ? io.chainwatch.model.FleetDimension.CILIUM_VERSION : text.fleetDimension();
  }

  /** The runbook step, or an empty string when none is written for this detector. */
  public String runbook(String detectorId) {
    DetectorText text = texts.get(detectorId);
    return text == null ? "" : text.runbook();
  }
}
