package io.chainwatch.model;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One problem a detector sees, as of {@code observedAt}.
 *
 * @param detectorId stable kebab-case detector id
 * @param resource the object the finding is about (a pod, or a node for node-level findings)
 * @param node the node involved, or {@code null} when unknown
 * @param severity how urgent
 * @param action what chainwatch plans to do
 * @param reason stable machine-readable reason within the detector (part of the dedup key)
 * @param summary one sentence a person understands; it may say how long a problem has lasted, so it is presentation
 *     and not part of {@link #sameContentAs}
 * @param observedAt when the detector evaluated
 * @param evidence facts that support the finding: values are strings, numbers, booleans, lists or maps (JSON-ready);
 *     detectors keep clock-relative values out of it so that an unchanged problem has unchanged evidence
 */
public record Finding(
    String detectorId,
    ResourceRef resource,
    String node,
    Severity severity,
    PlannedAction action,
    String reason,
    String summary,
    Instant observedAt,
    Map<String, Object> evidence)
    implements BusMessage {
  public Finding {
    Objects.requireNonNull(detectorId, "detectorId");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(observedAt, "observedAt");
    // insertion order is kept so evidence reads in the order the detector wrote it
    evidence = Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
  }

  /** The facts other modules act on, typed (written in the evidence under {@link FindingFacts}' keys). */
  public FindingFacts facts() {
    return FindingFacts.of(evidence);
  }

  /** Identifies the problem across evaluations: same detector, same object, same reason. */
  public String dedupKey() {
    return detectorId + ":" + resource.key() + ":" + reason;
  }

  /** True when the facts are the same (only time and wording may differ), so the finding need not be emitted again. */
  public boolean sameContentAs(Finding other) {
    return other != null
        && detectorId.equals(other.detectorId)
        && resource.equals(other.resource)
        && Objects.equals(node, other.node)
        && severity == other.severity
        && action == other.action
        && reason.equals(other.reason)
        && evidence.equals(other.evidence);
  }
}
