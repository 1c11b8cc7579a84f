package io.chainwatch.notifier.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainwatch.model.Incident;
import io.chainwatch.model.IncidentChange;
import io.chainwatch.model.IncidentChange.Kind;
import io.chainwatch.model.Severity;
import io.chainwatch.notifier.alert.Incidents;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DigestPagesTest {
  private static final Instant T0 = Incidents.T0;
  private final DigestPages pages = new DigestPages(Duration.ofSeconds(5));

  /** The digest of storm {@code id} after {@code folded} incidents were folded into it. */
  private static IncidentChange digest(String id, int folded) {
    IncidentChange base = Incidents.change(id, Severity.CRITICAL, Incident.State.OPEN, Kind.DIGEST, true);
    return new IncidentChange(base.incident(), Kind.DIGEST, folded + " incidents were folded", true, false,
        List.of("line " + folded), T0);
  }

  @Test
  void aStormPagesAtOnceThenOncePerIntervalWithItsNewestContent() {
    assertThat(pages.offer(digest("storm-1", 1), T0)).as("the first digest pages at once")
        .hasValueSatisfying(d -> assertThat(d.text()).startsWith("1 "));
    for (int folded = 2; folded <= 100; folded++) {
      assertThat(pages.offer(digest("storm-1", folded), T0.plusMillis(folded * 10L))).isEmpty();
    }
    assertThat(pages.due(T0.plusSeconds(4))).as("within the interval").isEmpty();
    assertThat(pages.nextDue()).hasValue(T0.plusSeconds(5));

    List<IncidentChange> due = pages.due(T0.plusSeconds(5));
    assertThat(due).singleElement().satisfies(d -> assertThat(d.text()).startsWith("100 "));
    assertThat(pages.nextDue()).as("nothing waits").isEmpty();
    assertThat(pages.due(T0.plusSeconds(60))).as("each digest paged once").isEmpty();
  }

  @Test
  void aDigestAfterAQuietIntervalPagesAtOnceAndTheQuietStormIsForgotten() {
    pages.offer(digest("storm-1", 1), T0);
    assertThat(pages.offer(digest("storm-1", 2), T0.plusSeconds(5))).as("the interval has passed").isPresent();
    assertThat(pages.offer(digest("storm-1", 3), T0.plusSeconds(6))).isEmpty();
    assertThat(pages.due(T0.plusSeconds(10))).hasSize(1);
    pages.offer(digest("storm-2", 1), T0.plusSeconds(30));
    assertThat(pages.tracked()).as("storm-1 is quiet: no memory kept for it").isEqualTo(1);
  }

  @Test
  void stormsArePacedEachOnItsOwn() {
    assertThat(pages.offer(digest("storm-1", 1), T0)).isPresent();
    assertThat(pages.offer(digest("storm-2", 1), T0.plusSeconds(1))).isPresent();
    pages.offer(digest("storm-1", 2), T0.plusSeconds(2));
    pages.offer(digest("storm-2", 2), T0.plusSeconds(2));
    assertThat(pages.nextDue()).hasValue(T0.plusSeconds(5));
    assertThat(pages.due(T0.plusSeconds(5))).extracting(d -> d.incident().id()).containsExactly("storm-1");
    assertThat(pages.due(T0.plusSeconds(6))).extracting(d -> d.incident().id()).containsExactly("storm-2");
  }

  @Test
  void anotherPageOfTheStormTakesTheWaitingDigestFirstAndStoppingReleasesTheRest() {
    pages.offer(digest("storm-1", 1), T0);
    pages.offer(digest("storm-1", 2), T0.plusSeconds(1));
    pages.offer(digest("storm-2", 1), T0.plusSeconds(1));
    pages.offer(digest("storm-2", 2), T0.plusSeconds(2));

    assertThat(pages.release("storm-1", T0.plusSeconds(2))).hasValueSatisfying(d -> assertThat(d.text())
        .startsWith("2 "));
    assertThat(pages.release("storm-1", T0.plusSeconds(2))).as("taken once").isEmpty();
    assertThat(pages.releaseAll()).extracting(d -> d.incident().id()).containsExactly("storm-2");
    assertThat(pages.nextDue()).isEmpty();
  }

  @Test
  void onlyDigestsArePacedAndTheIntervalMustBePositive() {
    assertThatThrownBy(() -> pages.offer(Incidents.change("i-1", Severity.CRITICAL, Incident.State.OPEN,
        Kind.OPENED, true), T0)).hasMessageContaining("only digests are paced, got opened");
    assertThatThrownBy(() -> new DigestPages(Duration.ZERO)).hasMessageContaining("interval must be positive");
  }
}
