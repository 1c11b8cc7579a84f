package io.chainwatch.watcher.detect;

import io.chainwatch.model.Finding;
import java.time.Instant;
import java.util.List;

/**
 * The verdict on one subject.
 *
 * @param findings what holds now (empty when nothing is wrong)
 * @param recheckAt when the verdict could change with no cluster event (a grace period ends), or {@code null}
 */
public record Evaluation(List<Finding> findings, Instant recheckAt) {
  public static final Evaluation NOTHING = new Evaluation(List.of(), null);

  public Evaluation {
    findings = List.copyOf(findings);
  }

  public static Evaluation recheckAt(Instant when) {
    return new Evaluation(List.of(), when);
  }

  public static Evaluation of(Finding finding) {
    return new Evaluation(List.of(finding), null);
  }
}
