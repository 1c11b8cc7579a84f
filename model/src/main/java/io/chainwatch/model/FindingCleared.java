package io.chainwatch.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A finding that no longer holds: the pod got its endpoint, went away, or the rule stopped applying.
 *
 * @param finding the last emitted version of the finding
 * @param clearedAt when the detector stopped seeing it
 */
public record FindingCleared(Finding finding, Instant clearedAt) implements BusMessage {
  public FindingCleared {
    Objects.requireNonNull(finding, "finding");
    Objects.requireNonNull(clearedAt, "clearedAt");
  }
}
