package io.chainwatch.remediation.workflow;

import io.chainwatch.config.RemediationConfig;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingFacts;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.RemediationOutcome.Result;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.remediation.RemediationView;
import io.chainwatch.remediation.action.EvictionResult;
import io.chainwatch.remediation.policy.EvictionRecord;
import io.chainwatch.remediation.policy.RemediationHistory;
import io.chainwatch.remediation.policy.RemediationPolicy;
import io.chainwatch.remediation.policy.RemediationTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An eviction from the policy's verdict to its end: intent written, request sent, answer recorded, replacement
 * followed until it runs with its CiliumEndpoint ({@code verified}) or the verify timeout passes ({@code not-helped}).
 * The state is the {@link RemediationHistory} (in the cluster) plus the findings behind evictions this replica follows.
 *
 * <pre>
 *   evict ──► SaveIntent ──saved, may write──► Evict ──answered──► evicted ──verify──► verified | not-helped
 *                 │                 │                      ├──────► gone | failed (settled, paged)
 *                 │                 └─lease lost─► withdrawn, decide again later
 *                 ├─state changed (another writer)─► withdrawn, decide again now on the merged state
 *                 └─not saved─► withdrawn, page; decide again after the pod cooldown
 *                                                          └──────► budget-refused: decide again at the retry time
 * </pre>
 */
public final class EvictionWorkflow {
  private static final Duration NOT_LEADER_RETRY = Duration.ofSeconds(10);
  /**
   * Allowance when telling a replacement from an older sibling: creation times have whole seconds, and the clocks of
   * chainwatch and the API server differ a little.
   */
  private static final Duration CREATION_SKEW = Duration.ofSeconds(2);
  private static final int MAX_CREDITED = 10_000;

  private final RemediationPolicy policy;
  private final RemediationConfig config;
  /** The finding behind each eviction this replica follows, by pod UID. */
  private final Map<String, Finding> findingsByPodUid = new LinkedHashMap<>();
  /** Replacement pods already credited to an eviction: one replacement verifies one eviction, not two. */
  private final Set<String> creditedReplacements = new HashSet<>();

  public EvictionWorkflow(RemediationPolicy policy) {
    this.policy = policy;
    this.config = policy.config();
  }

  /** Pods whose eviction this replica requested and follows (kept when the state is read again). */
  public Set<String> followedPodUids() {
    return findingsByPodUid.keySet();
  }

  /** The policy said evict: record the intent (dry-run: only what would have been done). */
  public List<Effect> evict(RemediationHistory history, Finding finding, RemediationTarget target, Instant now) {
    PodSnapshot pod = target.pod();
    String podKey = EvictionRecord.keyOf(pod);
    EvictionRecord previous = history.eviction(pod.uid()).orElse(null);
    boolean retry = previous != null && previous.status() == EvictionRecord.Status.REFUSED;
    boolean dryRun = config.dryRunFor(finding.detectorId());
    EvictionRecord record = retry ? previous.retried(now)
        : new EvictionRecord(podKey, pod.uid(), pod.ownerKey(), pod.nodeName(), finding.dedupKey(), now,
            dryRun ? EvictionRecord.Status.SETTLED : EvictionRecord.Status.REQUESTED, 0, null, null, dryRun);
    history.putEviction(record);
    history.recordAttempt(podKey, pod.ownerKey(), now, !dryRun && !retry);
    if (dryRun) {
      return List.of(outcome(finding, Result.WOULD_EVICT, "dry-run: chainwatch would have evicted " + podKey
          + " (" + finding.detectorId() + " observes: remediation.mode or remediation.detectorModes; set it to enforce "
          + "to act)", evidence(record, target), now),
          new Effect.Save());
    }
    findingsByPodUid.put(pod.uid(), finding);
    return List.of(new Effect.SaveIntent(new EvictionAttempt(finding, target, record, retry ? previous : null)));
  }

  /** Why the intent could not be written. */
  public enum NotSaved {
    /** Another writer changed the state: decide again on the merged one. */
    STATE_CHANGED,
    /** This replica may not write (not the leader, or past its renew deadline). */
    NOT_LEADER,
    /** The write failed. */
    FAILED
  }

  /** The intent is in the cluster; {@code mayWriteNow} asked right after: only then is the request sent. */
  public List<Effect> intentSaved(RemediationHistory history, EvictionAttempt attempt, boolean mayWriteNow,
      Instant now) {
    if (!mayWriteNow) {
      withdraw(history, attempt);
      return List.of(outcome(attempt.finding(), Result.NOT_LEADER, "not evicted: this replica lost the right to write",
          evidence(attempt.record(), attempt.target()), now),
          new Effect.DecideAt(attempt.finding(), now.plus(NOT_LEADER_RETRY)), new Effect.Save());
    }
    return List.of(new Effect.Evict(attempt));
  }

  /**
   * The intent was not written: nothing was sent, the attempt is withdrawn.
   *
   * @param message where and why, for people ({@code chainwatch/chainwatch-remediation-state: timeout})
   */
  public List<Effect> intentNotSaved(RemediationHistory history, EvictionAttempt attempt, NotSaved why,
      String message, Instant now) {
    withdraw(history, attempt);
    return switch (why) {
      case STATE_CHANGED -> List.of(new Effect.DecideNow(attempt.finding()));
      case NOT_LEADER -> List.of(outcome(attempt.finding(), Result.NOT_LEADER,
          "not evicted: this replica may not write now (" + message + ")",
          evidence(attempt.record(), attempt.target()), now),
          new Effect.DecideAt(attempt.finding(), now.plus(NOT_LEADER_RETRY)));
      case FAILED -> List.of(outcome(attempt.finding(), Result.FAILED, "not evicted: the intent could not be saved to "
          + message, evidence(attempt.record(), attempt.target()), now),
          new Effect.DecideAt(attempt.finding(), now.plus(config.podCooldown())));
    };
  }

  private void withdraw(RemediationHistory history, EvictionAttempt attempt) {
    EvictionRecord record = attempt.record();
    history.removeEviction(record.podUid());
    findingsByPodUid.remove(record.podUid());
    if (attempt.retry()) {
      history.putEviction(attempt.previous());
    }
    history.withdrawAttempt(record.podKey(), record.ownerKey(), record.requestedAt());
  }

  /** The API server answered the eviction request. */
  public List<Effect> answered(RemediationHistory history, EvictionAttempt attempt, EvictionResult result,
      Instant now) {
    EvictionRecord record = attempt.record();
    Finding finding = attempt.finding();
    Map<String, Object> evidence = evidence(record, attempt.target());
    evidence.put("httpStatus", result.httpStatus());
    evidence.put("apiMessage", result.message());
    List<Effect> effects = new ArrayList<>();
    switch (result.kind()) {
      case EVICTED -> {
        history.putEviction(record.withStatus(EvictionRecord.Status.EVICTED));
        effects.add(outcome(finding, Result.EVICTED, "evicted " + record.podKey() + "; waiting up to "
            + config.verifyTimeout() + " for its replacement to run with a CiliumEndpoint", evidence, now));
      }
      case GONE -> {
        findingsByPodUid.remove(record.podUid());
        history.putEviction(record.withStatus(EvictionRecord.Status.SETTLED));
        effects.add(outcome(finding, Result.GONE, record.podKey() + " was already gone: nothing left to restart",
            evidence, now));
      }
      case BUDGET_REFUSED -> {
        findingsByPodUid.remove(record.podUid());
        List<String> names = attempt.target().budgetNames();
        String budget = result.budget() != null ? result.budget() : names.isEmpty() ? null : String.join(", ", names);
        Instant retryAt = policy.retryAfterRefusal(record.budgetRefusals(), now);
        EvictionRecord refused = record.refused(retryAt, budget);
        history.putEviction(refused);
        evidence.put("budget", budget);
        evidence.put("budgetRefusals", refused.budgetRefusals());
        evidence.put("retryAt", retryAt.toString());
        effects.add(outcome(finding, Result.BUDGET_REFUSED, "PodDisruptionBudget " + (budget == null ? "" : budget
            + " ") + "refused evicting " + record.podKey() + " (" + result.message() + ")", evidence, now));
        effects.add(new Effect.DecideAt(finding, retryAt));
      }
      case FAILED -> {
        findingsByPodUid.remove(record.podUid());
        // the request may or may not have reached the API server: settle it and let a person look
        history.putEviction(record.withStatus(EvictionRecord.Status.SETTLED));
        effects.add(outcome(finding, Result.FAILED, "evicting " + record.podKey() + " failed: " + result.message(),
            evidence, now));
      }
    }
    effects.add(new Effect.Save());
    if (result.kind() != EvictionResult.Kind.EVICTED) {
      effects.add(new Effect.DecideWaiting());
    }
    return effects;
  }

  /**
   * Follows evicted pods' replacements: verified once one runs with its CiliumEndpoint, not-helped after the verify
   * timeout. An eviction whose answer never came (chainwatch restarted, the request hung) is followed the same way.
   */
  public List<Effect> verify(RemediationHistory history, RemediationView view, Instant now) {
    Duration answerWindow = config.requestTimeout().plusSeconds(5);
    List<EvictionRecord> following = history.evictions().stream()
        .filter(record -> !record.dryRun() && (record.status() == EvictionRecord.Status.EVICTED
            || (record.status() == EvictionRecord.Status.REQUESTED
                && now.isAfter(record.requestedAt().plus(answerWindow)))))
        .toList();
    if (following.isEmpty()) {
      return List.of();
    }
    Set<String> owners = new HashSet<>();
    following.forEach(record -> owners.add(record.ownerKey()));
    Map<String, List<PodSnapshot>> podsByOwner = view.podsByOwner(owners);
    List<Effect> effects = new ArrayList<>();
    for (EvictionRecord record : following) {
      List<PodSnapshot> replacements = podsByOwner.getOrDefault(record.ownerKey(), List.of()).stream()
          .filter(pod -> !pod.uid().equals(record.podUid()) && !pod.terminating() && pod.createdAt() != null
              && !creditedReplacements.contains(pod.uid())
              && !pod.createdAt().isBefore(record.requestedAt().minus(CREATION_SKEW)))
          .toList();
      PodSnapshot healthy = replacements.stream().filter(pod -> pod.running() && view.hasEndpoint(pod))
          .findFirst().orElse(null);
      if (healthy != null) {
        if (creditedReplacements.size() >= MAX_CREDITED) {
          creditedReplacements.clear(); // old credits matter only for evictions of the last minutes
        }
        creditedReplacements.add(healthy.uid());
        history.putEviction(record.withStatus(EvictionRecord.Status.SETTLED));
        Map<String, Object> evidence = recordEvidence(record);
        evidence.put("replacement", EvictionRecord.keyOf(healthy));
        evidence.put("replacementUid", healthy.uid());
        evidence.put("verifiedAfterSeconds", Duration.between(record.requestedAt(), now).toSeconds());
        effects.add(outcome(findingOf(record), Result.VERIFIED, EvictionRecord.keyOf(healthy) + " replaced "
            + record.podKey() + " and runs with its CiliumEndpoint", evidence, now));
      } else if (!now.isBefore(record.requestedAt().plus(config.verifyTimeout()))) {
        history.putEviction(record.withStatus(EvictionRecord.Status.SETTLED));
        Map<String, Object> evidence = recordEvidence(record);
        List<Map<String, Object>> seen = new ArrayList<>();
        for (PodSnapshot pod : replacements) {
          Map<String, Object> candidate = new LinkedHashMap<>();
          candidate.put("pod", EvictionRecord.keyOf(pod));
          candidate.put("phase", pod.phase());
          candidate.put("ciliumEndpoint", view.hasEndpoint(pod));
          candidate.put("node", pod.nodeName());
          seen.add(candidate);
        }
        evidence.put("replacements", seen);
        boolean stillThere = view.pod(record.podNamespace(), record.podName())
            .filter(pod -> pod.uid().equals(record.podUid())).isPresent();
        evidence.put("evictedPodStillPresent", stillThere);
        String interrupted = record.status() == EvictionRecord.Status.REQUESTED
            ? " (the eviction's answer was never processed: chainwatch restarted or the request hung)" : "";
        effects.add(outcome(findingOf(record), Result.NOT_HELPED, "restart did not help: no replacement of "
            + record.podKey() + " runs with a CiliumEndpoint " + config.verifyTimeout() + " after the eviction"
            + interrupted + (stillThere ? "; the evicted pod is still there" : "")
            + (replacements.isEmpty() ? "; no replacement pod appeared" : ""), evidence, now));
      }
    }
    if (!effects.isEmpty()) {
      effects.add(new Effect.Save());
      effects.add(new Effect.DecideWaiting());
    }
    return effects;
  }

  /** The finding an eviction was for; rebuilt from the record when chainwatch restarted since. */
  private Finding findingOf(EvictionRecord record) {
    Finding finding = findingsByPodUid.remove(record.podUid());
    if (finding != null) {
      return finding;
    }
    String findingKey = record.findingKey() == null ? "" : record.findingKey();
    String detector = findingKey.contains(":") ? findingKey.substring(0, findingKey.indexOf(':')) : "unknown";
    String reason = findingKey.contains(":") ? findingKey.substring(findingKey.lastIndexOf(':') + 1) : "restored";
    return new Finding(detector, ResourceRef.pod(record.podNamespace(), record.podName()),
        record.node(), Severity.CRITICAL, PlannedAction.RESTART, reason,
        "eviction of " + record.podKey() + " restored from the saved remediation state", record.requestedAt(),
        Map.of(FindingFacts.SUBJECT_UID, record.podUid()));
  }

  private Effect.PublishOutcome outcome(Finding finding, Result result, String detail, Map<String, Object> evidence,
      Instant now) {
    return Outcomes.publish(finding, result, detail, evidence, config.modeFor(finding.detectorId()), now);
  }

  static Map<String, Object> evidence(EvictionRecord record, RemediationTarget target) {
    Map<String, Object> evidence = recordEvidence(record);
    evidence.put("budgets", target.budgetNames());
    return evidence;
  }

  private static Map<String, Object> recordEvidence(EvictionRecord record) {
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("pod", record.podKey());
    evidence.put("podUid", record.podUid());
    evidence.put("owner", record.ownerKey());
    evidence.put("node", record.node());
    evidence.put("requestedAt", record.requestedAt().toString());
    return evidence;
  }
}
