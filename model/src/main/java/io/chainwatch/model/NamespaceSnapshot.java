package io.chainwatch.model;

import java.util.Map;
import java.util.Objects;

/**
 * What detectors and routing need to know about a namespace.
 *
 * @param name namespace name
 * @param remediationDisabled annotated {@code chainwatch.io/remediation: disabled}
 * @param silenceUntil the raw {@code chainwatch.io/silence-until} annotation, {@code null} when absent (parsed where
 *     it is used, so a malformed value is reported there and never costs the namespace its snapshot)
 * @param labels its labels: incidents are routed by them (a {@code team} label, say)
 */
public record NamespaceSnapshot(String name, boolean remediationDisabled, String silenceUntil,
    Map<String, String> labels) implements Snapshot {
  public NamespaceSnapshot {
    Objects.requireNonNull(name, "name");
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  public NamespaceSnapshot(String name, boolean remediationDisabled, String silenceUntil) {
    this(name, remediationDisabled, silenceUntil, Map.of());
  }

  public NamespaceSnapshot(String name, boolean remediationDisabled) {
    this(name, remediationDisabled, null, Map.of());
  }

  @Override
  public ResourceRef ref() {
    return new ResourceRef("Namespace", null, name);
  }
}
