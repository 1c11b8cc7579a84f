package io.chainwatch.remediation.policy;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One eviction chainwatch decided on, from the saved intent to its settled result.
 *
 * @param podKey {@code namespace/name}
 * @param podUid the UID of the pod evicted (the eviction is conditional on it)
 * @param ownerKey {@code namespace/Kind/name} of its controller
 * @param node node the pod ran on
 * @param findingKey dedup key of the finding that led to it
 * @param requestedAt when the intent was recorded
 * @param status where it stands
 * @param budgetRefusals how many times a PodDisruptionBudget refused it
 * @param retryAt when a refused eviction may be retried, {@code null} otherwise
 * @param budget the budget named in the last refusal, {@code null} when none
 * @param dryRun recorded in dry-run mode (no write was made)
 */
public record EvictionRecord(
    String podKey,
    String podUid,
    String ownerKey,
    String node,
    String findingKey,
    Instant requestedAt,
    Status status,
    int budgetRefusals,
    Instant retryAt,
    String budget,
    boolean dryRun) {
  public EvictionRecord {
    Objects.requireNonNull(podKey, "podKey");
    Objects.requireNonNull(podUid, "podUid");
    Objects.requireNonNull(ownerKey, "ownerKey");
    Objects.requireNonNull(requestedAt, "requestedAt");
    Objects.requireNonNull(status, "status");
  }

  /** Where an eviction stands. */
  public enum Status {
    /** The intent is saved; the request may or may not have reached the API server (a restart must not repeat it). */
    REQUESTED,
    /** The API server accepted it; waiting for the replacement to run with its endpoint. */
    EVICTED,
    /** A PodDisruptionBudget refused it; it may be retried at {@code retryAt}. */
    REFUSED,
    /** Done: verified, did not help, pod gone, failed, or dry-run. */
    SETTLED;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** In flight: requested or accepted and not yet settled, so the owner's next pod waits. */
  public boolean inFlight() {
    return status == Status.REQUESTED || status == Status.EVICTED;
  }

  /** The evicted pod's namespace (from {@code podKey}, {@code namespace/name}). */
  public String podNamespace() {
    return podKey.substring(0, podKey.indexOf('/'));
  }

  /** The evicted pod's name. */
  public String podName() {
    return podKey.substring(podKey.indexOf('/') + 1);
  }

  /** The {@code namespace/name} key records use for a pod. */
  public static String keyOf(io.chainwatch.model.PodSnapshot pod) {
    return pod.namespace() + "/" + pod.name();
  }

  public EvictionRecord withStatus(Status newStatus) {
    return new EvictionRecord(podKey, podUid, ownerKey, node, findingKey, requestedAt, newStatus, budgetRefusals,
        retryAt, budget, dryRun);
  }

  public EvictionRecord refused(Instant nextTry, String budgetName) {
    return new EvictionRecord(podKey, podUid, ownerKey, node, findingKey, requestedAt, Status.REFUSED,
        budgetRefusals + 1, nextTry, budgetName, dryRun);
  }

  /** A refused eviction being retried: requested again, same refusal count. */
  public EvictionRecord retried(Instant at) {
    return new EvictionRecord(podKey, podUid, ownerKey, node, findingKey, at, Status.REQUESTED, budgetRefusals,
        null, budget, dryRun);
  }
}
