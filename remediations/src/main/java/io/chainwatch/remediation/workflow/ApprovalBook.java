package io.chainwatch.remediation.workflow;

import io.chainwatch.model.ApprovalChange;
import io.chainwatch.model.ApprovalChange.State;
import io.chainwatch.model.Finding;
import io.chainwatch.model.PersonAction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Mode approve: one question per finding whose action the gate allows. The action runs only while an approval holds,
 * and still through the whole gate (the policy decides again after the click: a budget, the breaker or a rate limit
 * can still refuse or delay it). An unanswered question expires, and so does an approval not used in time (a click
 * approves acting soon, not whenever the gate next allows). A second click, or a click on an expired or unknown
 * question, changes nothing and says so. Pure: the verticle publishes what it returns.
 */
public final class ApprovalBook {
  /** What the gate may do with an action in mode approve. */
  public enum Gate {
    /** Not approved yet: wait (asked now, or earlier). */
    WAIT,
    /** Approved and within its time: act, through the gate. */
    PROCEED,
    /** A person said no. */
    REJECTED,
    /** Nobody answered in time, or the approval was not used in time. */
    EXPIRED
  }

  /** The gate's verdict and what to publish. */
  public record Verdict(Gate gate, Instant until, String who, List<ApprovalChange> changes) {}

  private static final class Entry {
    final String id;
    final String findingKey;
    Finding finding;
    String action;
    State state = State.ASKED;
    String by;
    Instant expiresAt;

    Entry(String id, Finding finding, String action, Instant expiresAt) {
      this.id = id;
      this.findingKey = finding.dedupKey();
      this.finding = finding;
      this.action = action;
      this.expiresAt = expiresAt;
    }
  }

  private static final int MAX_SETTLED = 1_000;
  private final Duration timeout;
  private final Map<String, Entry> byFinding = new HashMap<>();
  /** Every question by id, settled ones too (the oldest forgotten first), so a late click is answered. */
  private final Map<String, Entry> byId = new LinkedHashMap<>();

  public ApprovalBook(Duration timeout) {
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /**
   * The policy allowed {@code action} for {@code finding} in mode approve: ask, wait, proceed or stop.
   *
   * @param action the planned action, one sentence
   */
  public Verdict gate(Finding finding, String action, Instant now) {
    Entry entry = byFinding.get(finding.dedupKey());
    if (entry == null) {
      entry = new Entry(UUID.randomUUID().toString().substring(0, 13), finding, action, now.plus(timeout));
      byFinding.put(entry.findingKey, entry);
      remember(entry);
      return new Verdict(Gate.WAIT, entry.expiresAt, null, List.of(change(entry, action + " waits for a person's "
          + "approval until " + entry.expiresAt, now)));
    }
    entry.finding = finding;
    switch (entry.state) {
      case ASKED -> {
        if (now.isBefore(entry.expiresAt)) {
          return new Verdict(Gate.WAIT, entry.expiresAt, null, List.of());
        }
        entry.state = State.EXPIRED;
        return new Verdict(Gate.EXPIRED, entry.expiresAt, null, List.of(change(entry,
            "nobody answered within " + timeout + "; not acted on", now)));
      }
      case APPROVED -> {
        if (now.isBefore(entry.expiresAt)) {
          return new Verdict(Gate.PROCEED, entry.expiresAt, entry.by, List.of());
        }
        entry.state = State.EXPIRED;
        return new Verdict(Gate.EXPIRED, entry.expiresAt, entry.by, List.of(change(entry, "approved by "
            + entry.by + " but the gate did not allow it within " + timeout + "; not acted on", now)));
      }
      case REJECTED -> {
        return new Verdict(Gate.REJECTED, entry.expiresAt, entry.by, List.of());
      }
      default -> {
        return new Verdict(Gate.EXPIRED, entry.expiresAt, entry.by, List.of());
      }
    }
  }

  /** A person's approve or reject click (already checked against the allowed group). */
  public List<ApprovalChange> answer(PersonAction click, Finding unknownFinding, Instant now) {
    Entry entry = click.approvalId() == null ? null : byId.get(click.approvalId());
    if (entry == null) {
      return unknownFinding == null ? List.of() : List.of(new ApprovalChange(String.valueOf(click.approvalId()),
          unknownFinding, State.IGNORED, "unknown", click.user(), "no such question (chainwatch restarted since, or "
              + "it was settled long ago): nothing done", now, now));
    }
    if (entry.state == State.ASKED && !now.isBefore(entry.expiresAt)) {
      entry.state = State.EXPIRED;
      return List.of(change(entry, "nobody answered within " + timeout + "; not acted on", now),
          ignored(entry, click, "the question had expired: nothing done", now));
    }
    if (entry.state != State.ASKED) {
      return List.of(ignored(entry, click, "already " + entry.state.wireName() + (entry.by == null ? ""
          : " by " + entry.by) + ": nothing more done", now));
    }
    entry.by = click.mention();
    if (click.kind() == PersonAction.Kind.APPROVE) {
      entry.state = State.APPROVED;
      entry.expiresAt = now.plus(timeout);
      return List.of(change(entry, "approved by " + entry.by + "; the safety gate decides now", now));
    }
    entry.state = State.REJECTED;
    return List.of(change(entry, "rejected by " + entry.by + ": not acted on", now));
  }

  /** Unanswered questions past their time, each expired once. */
  public List<ApprovalChange> expire(Instant now) {
    List<ApprovalChange> changes = new ArrayList<>();
    for (Entry entry : byFinding.values()) {
      if (entry.state == State.ASKED && !now.isBefore(entry.expiresAt)) {
        entry.state = State.EXPIRED;
        changes.add(change(entry, "nobody answered within " + timeout + "; not acted on", now));
      }
    }
    return changes;
  }

  /**
   * The finding cleared (or its target went away): an open question is withdrawn (its buttons go); an answered one
   * is simply forgotten (its action ran, or was refused, and said so).
   */
  public List<ApprovalChange> withdraw(String findingKey, String why, Instant now) {
    Entry entry = byFinding.remove(findingKey);
    if (entry == null || entry.state != State.ASKED) {
      return List.of();
    }
    entry.state = State.WITHDRAWN;
    return List.of(change(entry, why, now));
  }

  /** The finding key an approval is for, if known. */
  public java.util.Optional<String> findingKeyOf(String approvalId) {
    Entry entry = approvalId == null ? null : byId.get(approvalId);
    return entry == null ? java.util.Optional.empty() : java.util.Optional.of(entry.findingKey);
  }

  private void remember(Entry entry) {
    byId.put(entry.id, entry);
    while (byId.size() > MAX_SETTLED + byFinding.size()) {
      byId.remove(byId.keySet().iterator().next());
    }
  }

  private static ApprovalChange change(Entry entry, String detail, Instant now) {
    return new ApprovalChange(entry.id, entry.finding, entry.state, entry.action, entry.by, detail, entry.expiresAt,
        now);
  }

  private static ApprovalChange ignored(Entry entry, PersonAction click, String detail, Instant now) {
    return new ApprovalChange(entry.id, entry.finding, State.IGNORED, entry.action, click.mention(), detail,
        entry.expiresAt, now);
  }
}
