package io.chainwatch.model;

import java.util.Objects;

/**
 * What detectors need to know about a namespace.
 *
 * @param name namespace name
 * @param remediationDisabled annotated {@code chainwatch.io/remediation: disabled}
 * @param silenceUntil the raw {@code chainwatch.io/silence-until} annotation, {@code null} when absent (parsed where
 *     it is used, so a malformed value is reported there and never costs the namespace its snapshot)
 */
public record NamespaceSnapshot(String name, boolean remediationDisabled, String silenceUntil) implements Snapshot {
  public NamespaceSnapshot {
    Objects.requireNonNull(name, "name");
  }

  public NamespaceSnapshot(String name, boolean remediationDisabled) {
    this(name, remediationDisabled, null);
  }

  @Override
  public ResourceRef ref() {
    return new ResourceRef("Namespace", null, name);
  }
}
