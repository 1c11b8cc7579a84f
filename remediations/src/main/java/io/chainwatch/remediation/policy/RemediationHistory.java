package io.chainwatch.remediation.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What chainwatch has done and seen, as far as the rails need it: evictions (in flight and recent), attempts per pod
 * and per owner, recent evictions for the rate limit, the restart findings counted by the breaker, and the breaker.
 * Saved in the cluster after every change so that a restart of chainwatch neither repeats an eviction nor forgets a
 * storm. Mutated only on the remediation verticle's context.
 */
public final class RemediationHistory {
  /** Settled evictions and attempts are kept this long: the longest window any rail looks back. */
  public static final Duration RETENTION = Duration.ofHours(1);
  /** Bound on the breaker's counting window, so a storm cannot grow the state without limit. */
  static final int MAX_COUNTED_FINDINGS = 10_000;
  /** Bound on the eviction records kept (each about 300 bytes encoded): the state stays far below 1 MiB. */
  static final int MAX_EVICTION_RECORDS = 1_000;

  private final Map<String, EvictionRecord> evictionsByUid = new LinkedHashMap<>();
  private final Map<String, Instant> lastPodAttempt = new LinkedHashMap<>();
  private final Map<String, List<Instant>> ownerAttempts = new LinkedHashMap<>();
  private final List<Instant> recentEvictions = new ArrayList<>();
  private final Map<String, CountedFinding> restartFindings = new LinkedHashMap<>();
  private BreakerState breaker;

  /**
   * A pod with a restart finding, as counted by the breaker.
   *
   * @param node its node
   * @param firstSeen when chainwatch first saw the finding
   */
  public record CountedFinding(String node, Instant firstSeen) {}

  /**
   * The open breaker.
   *
   * @param openedAt when it opened
   * @param closesAt when it closes by itself
   * @param reason which limit was exceeded
   */
  public record BreakerState(Instant openedAt, Instant closesAt, String reason) {}

  public Optional<EvictionRecord> eviction(String podUid) {
    return Optional.ofNullable(evictionsByUid.get(podUid));
  }

  public Collection<EvictionRecord> evictions() {
    return Collections.unmodifiableCollection(evictionsByUid.values());
  }

  public void putEviction(EvictionRecord record) {
    evictionsByUid.put(record.podUid(), record);
  }

  public void removeEviction(String podUid) {
    evictionsByUid.remove(podUid);
  }

  /** An eviction of this owner's pods that is still in flight, if any. */
  public Optional<EvictionRecord> inFlightFor(String ownerKey) {
    return evictionsByUid.values().stream()
        .filter(record -> record.ownerKey().equals(ownerKey) && record.inFlight() && !record.dryRun())
        .findFirst();
  }

  public Optional<Instant> lastPodAttempt(String podKey) {
    return Optional.ofNullable(lastPodAttempt.get(podKey));
  }

  /** Attempts on this owner's pods since {@code since}, oldest first. */
  public List<Instant> ownerAttemptsSince(String ownerKey, Instant since) {
    return ownerAttempts.getOrDefault(ownerKey, List.of()).stream().filter(at -> !at.isBefore(since)).toList();
  }

  /** Evictions (and dry-run evictions) since {@code since}, oldest first. */
  public List<Instant> evictionsSince(Instant since) {
    return recentEvictions.stream().filter(at -> !at.isBefore(since)).toList();
  }

  /**
   * Records an attempt: cooldown of the pod, the global rate, and (with {@code countForOwner}) the owner's hourly
   * count. Dry-runs and retries after a budget refusal do not count for the owner: nothing new was done to it.
   */
  public void recordAttempt(String podKey, String ownerKey, Instant at, boolean countForOwner) {
    lastPodAttempt.put(podKey, at);
    if (countForOwner) {
      ownerAttempts.computeIfAbsent(ownerKey, key -> new ArrayList<>()).add(at);
    }
    recentEvictions.add(at);
  }

  /** Takes back an attempt that never reached the API server (the write was not allowed or the state not saved). */
  public void withdrawAttempt(String podKey, String ownerKey, Instant at) {
    lastPodAttempt.remove(podKey, at);
    List<Instant> attempts = ownerAttempts.get(ownerKey);
    if (attempts != null) {
      attempts.remove(at);
      if (attempts.isEmpty()) {
        ownerAttempts.remove(ownerKey);
      }
    }
    recentEvictions.remove(at);
  }

  /** Counts a pod with a restart finding for the breaker (first sighting only), up to {@link #MAX_COUNTED_FINDINGS}. */
  public void countRestartFinding(String podKey, String node, Instant at) {
    countRestartFinding(podKey, node, at, MAX_COUNTED_FINDINGS);
  }

  /**
   * Counts a pod with a restart finding for the breaker (first sighting only), keeping at most {@code cap}: the
   * breaker opens once more than {@code maxPods} are counted, so {@code maxPods + 1} entries decide exactly what all
   * of them would, and a storm of any size stays small in the state ConfigMap.
   */
  public void countRestartFinding(String podKey, String node, Instant at, int cap) {
    if (restartFindings.size() < Math.min(cap, MAX_COUNTED_FINDINGS) || restartFindings.containsKey(podKey)) {
      restartFindings.putIfAbsent(podKey, new CountedFinding(node, at));
    }
  }

  /** Pods with restart findings first seen since {@code since}. */
  public Map<String, CountedFinding> restartFindingsSince(Instant since) {
    Map<String, CountedFinding> counted = new LinkedHashMap<>();
    restartFindings.forEach((pod, finding) -> {
      if (!finding.firstSeen().isBefore(since)) {
        counted.put(pod, finding);
      }
    });
    return counted;
  }

  public Optional<BreakerState> breaker() {
    return Optional.ofNullable(breaker);
  }

  public void openBreaker(BreakerState state) {
    breaker = state;
  }

  /** Closes the breaker and forgets the findings it counted, so the same storm does not re-open it at once. */
  public void closeBreaker() {
    breaker = null;
    restartFindings.clear();
  }

  /** Drops what no rail looks at any more (every eviction record counts as for a pod that still exists). */
  public void prune(Instant now, Duration breakerWindow) {
    prune(now, breakerWindow, record -> true);
  }

  /**
   * Drops what no rail looks at any more. An eviction record stays as long as its pod exists ({@code podExists}), so
   * "never evict the same pod twice" holds for the pod's lifetime, not for an hour; once the pod is gone its record
   * goes after {@link #RETENTION}. At most {@link #MAX_EVICTION_RECORDS} are kept, the oldest settled ones going first.
   */
  public void prune(Instant now, Duration breakerWindow, java.util.function.Predicate<EvictionRecord> podExists) {
    Instant horizon = now.minus(RETENTION);
    evictionsByUid.values().removeIf(record -> !record.inFlight() && record.requestedAt().isBefore(horizon)
        && !podExists.test(record));
    if (evictionsByUid.size() > MAX_EVICTION_RECORDS) {
      List<EvictionRecord> settled = new ArrayList<>(evictionsByUid.values().stream()
          .filter(record -> !record.inFlight()).toList());
      settled.sort(java.util.Comparator.comparing(EvictionRecord::requestedAt));
      for (EvictionRecord record : settled) {
        if (evictionsByUid.size() <= MAX_EVICTION_RECORDS) {
          break;
        }
        evictionsByUid.remove(record.podUid());
      }
    }
    lastPodAttempt.values().removeIf(at -> at.isBefore(horizon));
    ownerAttempts.values().forEach(attempts -> attempts.removeIf(at -> at.isBefore(horizon)));
    ownerAttempts.values().removeIf(List::isEmpty);
    // the rate limit keeps these small; the bound holds whatever happened
    keepNewest(lastPodAttempt, at -> at);
    keepNewest(ownerAttempts, attempts -> attempts.get(attempts.size() - 1));
    recentEvictions.removeIf(at -> at.isBefore(now.minus(Duration.ofMinutes(1))));
    Instant windowStart = now.minus(breakerWindow);
    restartFindings.values().removeIf(finding -> finding.firstSeen().isBefore(windowStart));
  }

  private static <V> void keepNewest(Map<String, V> entries, java.util.function.Function<V, Instant> latest) {
    if (entries.size() <= MAX_EVICTION_RECORDS) {
      return;
    }
    List<Map.Entry<String, V>> oldestFirst = new ArrayList<>(entries.entrySet());
    oldestFirst.sort(java.util.Comparator.comparing(entry -> latest.apply(entry.getValue())));
    for (Map.Entry<String, V> entry : oldestFirst.subList(0, entries.size() - MAX_EVICTION_RECORDS)) {
      entries.remove(entry.getKey());
    }
  }

  /**
   * Adds what another copy of the history knows (the state found in the cluster after a conflicting write): the
   * union of evictions, attempts and counted findings; the breaker stays open if either copy has it open. Nothing
   * another replica did is forgotten, so nothing is repeated.
   */
  public void mergeFrom(RemediationHistory other) {
    other.evictionsByUid.forEach(evictionsByUid::putIfAbsent);
    other.lastPodAttempt.forEach((pod, at) -> lastPodAttempt.merge(pod, at, (a, b) -> a.isAfter(b) ? a : b));
    other.ownerAttempts.forEach((owner, attempts) -> {
      Set<Instant> union = new HashSet<>(ownerAttempts.getOrDefault(owner, List.of()));
      union.addAll(attempts);
      List<Instant> sorted = new ArrayList<>(union);
      Collections.sort(sorted);
      ownerAttempts.put(owner, sorted);
    });
    Set<Instant> rate = new HashSet<>(recentEvictions);
    rate.addAll(other.recentEvictions);
    recentEvictions.clear();
    recentEvictions.addAll(rate);
    Collections.sort(recentEvictions);
    other.restartFindings.forEach(restartFindings::putIfAbsent);
    if (breaker == null) {
      breaker = other.breaker;
    }
  }

  /**
   * Takes over what this replica did itself while this state was being read: the evictions it is still following
   * (its own record is newer than the stored one) and every attempt and counted finding (unions never lose a limit).
   * The breaker and other evictions stay as read: this replica's older memory of them may be stale.
   */
  public void adoptOwnWork(RemediationHistory own, Set<String> inFlightUids) {
    for (String uid : inFlightUids) {
      own.eviction(uid).ifPresent(this::putEviction);
    }
    RemediationHistory attemptsOnly = new RemediationHistory();
    attemptsOnly.lastPodAttempt.putAll(own.lastPodAttempt);
    attemptsOnly.ownerAttempts.putAll(own.ownerAttempts);
    attemptsOnly.recentEvictions.addAll(own.recentEvictions);
    attemptsOnly.restartFindings.putAll(own.restartFindings);
    mergeFrom(attemptsOnly);
  }

  // Raw access for the state codec.

  public Map<String, Instant> lastPodAttempts() {
    return Collections.unmodifiableMap(lastPodAttempt);
  }

  public Map<String, List<Instant>> ownerAttempts() {
    return Collections.unmodifiableMap(ownerAttempts);
  }

  public List<Instant> recentEvictions() {
    return Collections.unmodifiableList(recentEvictions);
  }

  public Map<String, CountedFinding> restartFindings() {
    return Collections.unmodifiableMap(restartFindings);
  }

  public void restorePodAttempt(String podKey, Instant at) {
    lastPodAttempt.put(podKey, at);
  }

  public void restoreOwnerAttempts(String ownerKey, List<Instant> attempts) {
    ownerAttempts.put(ownerKey, new ArrayList<>(attempts));
  }

  public void restoreRecentEviction(Instant at) {
    recentEvictions.add(at);
  }

  public void restoreRestartFinding(String podKey, CountedFinding finding) {
    restartFindings.put(podKey, finding);
  }
}
