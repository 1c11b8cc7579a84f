package io.chainwatch.watcher.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.Finding;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FindingTrackerTest {
  private static final ResourceRef POD = ResourceRef.pod("shop", "api-0");
  private static final Instant T1 = Instant.parse("2026-11-23T04:00:00Z");
  private static final Instant T2 = T1.plusSeconds(60);

  private static Finding finding(Instant at, String summary, Map<String, Object> evidence) {
    return new Finding("missed-cilium-chain", POD, "node-1", Severity.CRITICAL, PlannedAction.RESTART, "no-endpoint",
        summary, at, evidence);
  }

  private final FindingTracker tracker = new FindingTracker();

  @Test
  void openCountsFollowWhatCameWentOrChangedSeverity() {
    Finding critical = finding(T1, "s", Map.of());
    Finding warning = new Finding("missed-cilium-chain", POD, "node-1", Severity.WARNING, PlannedAction.RESTART,
        "no-endpoint", "s", T2, Map.of());

    tracker.update("missed-cilium-chain", POD, List.of(critical), T1);
    tracker.update("missed-cilium-chain", POD, List.of(finding(T2, "s", Map.of())), T2); // the same, again
    assertThat(tracker.openCount("missed-cilium-chain", Severity.CRITICAL)).isEqualTo(1);
    assertThat(tracker.openCount()).isEqualTo(1);

    tracker.update("missed-cilium-chain", POD, List.of(warning), T2);
    assertThat(tracker.openCount("missed-cilium-chain", Severity.CRITICAL)).isZero();
    assertThat(tracker.openCount("missed-cilium-chain", Severity.WARNING)).isEqualTo(1);
    assertThat(tracker.openCount()).isEqualTo(1);

    tracker.update("missed-cilium-chain", POD, List.of(), T2.plusSeconds(1));
    assertThat(tracker.openCount("missed-cilium-chain", Severity.WARNING)).isZero();
    assertThat(tracker.openCount()).isZero();
  }

  @Test
  void emitsANewFindingOnce() {
    Finding first = finding(T1, "ran 1 min", Map.of("k", "v"));

    FindingTracker.Changes opened = tracker.update("missed-cilium-chain", POD, List.of(first), T1);
    FindingTracker.Changes again = tracker.update("missed-cilium-chain", POD,
        List.of(finding(T2, "ran 2 min", Map.of("k", "v"))), T2);

    assertThat(opened.emitted()).containsExactly(first);
    assertThat(again.isEmpty()).isTrue();
    assertThat(tracker.openFindings()).containsExactly(first);
  }

  @Test
  void emitsAgainWhenTheFactsChange() {
    tracker.update("missed-cilium-chain", POD, List.of(finding(T1, "s", Map.of("k", "v"))), T1);
    Finding changed = finding(T2, "s", Map.of("k", "other"));

    FindingTracker.Changes changes = tracker.update("missed-cilium-chain", POD, List.of(changed), T2);

    assertThat(changes.emitted()).containsExactly(changed);
    assertThat(changes.cleared()).isEmpty();
  }

  @Test
  void clearsAFindingThatNoLongerHolds() {
    Finding first = finding(T1, "s", Map.of());
    tracker.update("missed-cilium-chain", POD, List.of(first), T1);

    FindingTracker.Changes changes = tracker.update("missed-cilium-chain", POD, List.of(), T2);

    assertThat(changes.cleared()).singleElement().satisfies(cleared -> {
      assertThat(cleared.finding()).isEqualTo(first);
      assertThat(cleared.clearedAt()).isEqualTo(T2);
    });
    assertThat(tracker.openCount()).isZero();
    assertThat(tracker.subjectsWithFindings()).isEmpty();
  }

  @Test
  void keepsDetectorsApart() {
    tracker.update("missed-cilium-chain", POD, List.of(finding(T1, "s", Map.of())), T1);

    FindingTracker.Changes other = tracker.update("another-detector", POD, List.of(), T2);

    assertThat(other.isEmpty()).isTrue();
    assertThat(tracker.openCount()).isEqualTo(1);
  }
}
