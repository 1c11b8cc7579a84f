package io.chainwatch.remediation.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.ApprovalChange.State;
import io.chainwatch.model.Finding;
import io.chainwatch.model.PersonAction;
import io.chainwatch.remediation.Fixtures;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The approval questions as pure state: asked once, answered once, expired on time, withdrawn when moot. */
class ApprovalBookTest {
  private static final Instant T0 = Fixtures.T0;
  private final ApprovalBook book = new ApprovalBook(Duration.ofMinutes(30));
  private final Finding finding = Fixtures.restartFinding(Fixtures.pod("shop", "web-1", "web-rs", "n1"));

  private static PersonAction click(PersonAction.Kind kind, String approval, Instant at) {
    return new PersonAction("c-" + at, kind, "inc-1", approval, 0, "U1", "alice", true, at);
  }

  @Test
  void asksOnceThenWaitsUntilAnswered() {
    ApprovalBook.Verdict first = book.gate(finding, "evict shop/web-1", T0);
    ApprovalBook.Verdict second = book.gate(finding, "evict shop/web-1", T0.plusSeconds(60));

    assertThat(first.gate()).isEqualTo(ApprovalBook.Gate.WAIT);
    assertThat(first.changes()).singleElement().satisfies(c -> assertThat(c.state()).isEqualTo(State.ASKED));
    assertThat(second.gate()).isEqualTo(ApprovalBook.Gate.WAIT);
    assertThat(second.changes()).as("asked once").isEmpty();
  }

  @Test
  void anApprovalHoldsForItsTimeOnlyThenExpiresWithoutActing() {
    String id = book.gate(finding, "evict", T0).changes().get(0).approvalId();
    book.answer(click(PersonAction.Kind.APPROVE, id, T0.plusSeconds(10)), null, T0.plusSeconds(10));

    assertThat(book.gate(finding, "evict", T0.plus(Duration.ofMinutes(20))).gate())
        .as("e.g. a budget retry within the approval's time").isEqualTo(ApprovalBook.Gate.PROCEED);
    ApprovalBook.Verdict late = book.gate(finding, "evict", T0.plusSeconds(10).plus(Duration.ofMinutes(30)));
    assertThat(late.gate()).as("the gate held it back too long: a click approves acting soon")
        .isEqualTo(ApprovalBook.Gate.EXPIRED);
    assertThat(late.changes()).singleElement().satisfies(c -> assertThat(c.state()).isEqualTo(State.EXPIRED));
  }

  @Test
  void unansweredQuestionsExpireOnceAndAClearedFindingWithdrawsItsQuestion() {
    book.gate(finding, "evict", T0);

    assertThat(book.expire(T0.plus(Duration.ofMinutes(29)))).isEmpty();
    assertThat(book.expire(T0.plus(Duration.ofMinutes(30)))).singleElement()
        .satisfies(c -> assertThat(c.state()).isEqualTo(State.EXPIRED));
    assertThat(book.expire(T0.plus(Duration.ofMinutes(31)))).as("once").isEmpty();

    Finding other = Fixtures.restartFinding(Fixtures.pod("shop", "web-2", "web-rs", "n1"));
    book.gate(other, "evict", T0);
    assertThat(book.withdraw(other.dedupKey(), "gone", T0.plusSeconds(1))).singleElement()
        .satisfies(c -> assertThat(c.state()).isEqualTo(State.WITHDRAWN));
    assertThat(book.gate(other, "evict", T0.plusSeconds(2)).changes()).as("a new finding asks anew")
        .singleElement().satisfies(c -> assertThat(c.state()).isEqualTo(State.ASKED));
  }

  @Test
  void anAnsweredQuestionIsForgottenSilentlyWhenItsFindingClears() {
    String id = book.gate(finding, "evict", T0).changes().get(0).approvalId();
    book.answer(click(PersonAction.Kind.APPROVE, id, T0.plusSeconds(1)), null, T0.plusSeconds(1));

    assertThat(book.withdraw(finding.dedupKey(), "cleared", T0.plusSeconds(60))).as("the action ran: nothing to "
        + "withdraw").isEmpty();
    assertThat(book.answer(click(PersonAction.Kind.APPROVE, id, T0.plusSeconds(61)), finding, T0.plusSeconds(61)))
        .singleElement().satisfies(c -> assertThat(c.detail()).startsWith("already approved"));
  }

  @Test
  void aClickOnAnUnknownQuestionIsAnsweredNotActedOn() {
    assertThat(book.answer(click(PersonAction.Kind.APPROVE, "nope", T0), finding, T0)).singleElement()
        .satisfies(c -> {
          assertThat(c.state()).isEqualTo(State.IGNORED);
          assertThat(c.detail()).contains("no such question");
        });
  }
}
