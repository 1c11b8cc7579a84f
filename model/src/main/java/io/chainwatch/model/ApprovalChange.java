package io.chainwatch.model;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * Mode approve: an action waiting for a person, or what became of it. Remediation publishes these; notifiers show
 * them (buttons, who did what) and audit them.
 *
 * @param approvalId stable id of the question (the buttons carry it)
 * @param finding the finding the action is for
 * @param state where it stands
 * @param action the planned action, one sentence (evict shop/web-1 ...)
 * @param by who answered (a Slack user id), {@code null} when nobody did
 * @param detail why, for a person: what the gate said after an approval, why a click changed nothing
 * @param expiresAt when an unanswered question, or an approval not yet acted on, expires
 * @param at when
 */
public record ApprovalChange(String approvalId, Finding finding, State state, String action, String by,
    String detail, Instant expiresAt, Instant at) implements BusMessage {
  public ApprovalChange {
    Objects.requireNonNull(approvalId, "approvalId");
    Objects.requireNonNull(finding, "finding");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(at, "at");
  }

  /** Approval states. */
  public enum State {
    /** Asked: the buttons are up. */
    ASKED,
    /** A person approved: the action goes through the safety gate (which may still refuse or delay it). */
    APPROVED,
    /** A person rejected: not acted on; the incident needs a person. */
    REJECTED,
    /** Nobody answered in time, or the approval was not used in time. */
    EXPIRED,
    /** Nothing left to approve: the finding cleared or the target is gone. */
    WITHDRAWN,
    /** A click that changed nothing: a second click, an expired or unknown approval. */
    IGNORED;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Whether the question is still open (buttons shown). */
  public boolean open() {
    return state == State.ASKED;
  }
}
