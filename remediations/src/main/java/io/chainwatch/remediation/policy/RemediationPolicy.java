package io.chainwatch.remediation.policy;

import io.chainwatch.config.RemediationConfig;
import io.chainwatch.model.Decision;
import io.chainwatch.model.Finding;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.RemediationRule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides, for one restart finding, whether to evict now, wait, page a person or skip, applying every rail in the
 * order of {@link RemediationRule}. Pure: the same finding, facts, history and time give the same decision. When a
 * rail cannot tell whether acting is safe, the answer is to page, not to act.
 */
public final class RemediationPolicy {
  /** Retry of the state read when it failed. */
  static final Duration STATE_RETRY = Duration.ofSeconds(30);
  /** Longest wait between retries after a PodDisruptionBudget refused an eviction. */
  static final Duration MAX_BUDGET_BACKOFF = Duration.ofMinutes(10);
  static final Duration RATE_WINDOW = Duration.ofMinutes(1);
  static final Duration ATTEMPT_WINDOW = Duration.ofHours(1);

  private final RemediationConfig config;

  public RemediationPolicy(RemediationConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /**
   * Decides about {@code finding}.
   *
   * @param finding the restart finding
   * @param target the pod, its namespace and budgets as the view shows them now
   * @param history what chainwatch has done and seen; {@code null} when the saved state could not be read
   * @param now the time of the decision
   */
  public Decision decide(Finding finding, RemediationTarget target, RemediationHistory history, Instant now) {
    if (finding.action() != PlannedAction.RESTART) {
      return new Decision.Skip(RemediationRule.NOT_A_RESTART,
          "the detector planned " + finding.action().wireName() + ", not a restart");
    }
    PodSnapshot pod = target.pod();
    String findingUid = finding.facts().subjectUid();
    if (pod == null || (findingUid != null && !findingUid.equals(pod.uid()))) {
      return new Decision.Skip(RemediationRule.POD_GONE,
          "pod " + finding.resource().namespace() + "/" + finding.resource().name()
              + " is gone or was replaced since the finding: nothing to restart");
    }
    if (pod.terminating()) {
      return new Decision.Skip(RemediationRule.POD_TERMINATING, "the pod is already terminating");
    }
    if (history == null) {
      return new Decision.Wait(RemediationRule.STATE_UNAVAILABLE,
          "the remediation state could not be read from " + config.stateNamespace() + "/" + config.stateConfigMap()
              + ", so cooldowns and limits cannot be honoured; retrying", now.plus(STATE_RETRY));
    }
    String podKey = pod.namespace() + "/" + pod.name();
    if (config.excludedNamespaces().contains(pod.namespace())) {
      return new Decision.Page(RemediationRule.EXCLUDED_NAMESPACE,
          "namespace " + pod.namespace() + " is in remediation.excludedNamespaces: a person must restart " + podKey);
    }
    var optOut = io.chainwatch.model.RemediationOptOut.of(pod, target.namespace());
    if (optOut.isPresent()) {
      return new Decision.Page(optOut.get().rule(), optOut.get().reason() + ": a person must restart "
          + (optOut.get().rule() == RemediationRule.POD_OPT_OUT ? "it" : podKey));
    }
    if (pod.owner() == null) {
      return new Decision.Page(RemediationRule.NO_OWNER,
          "it is a bare pod: nothing would recreate it after an eviction");
    }
    EvictionRecord previous = history.eviction(pod.uid()).orElse(null);
    if (previous != null && previous.status() != EvictionRecord.Status.REFUSED) {
      return new Decision.Skip(RemediationRule.ALREADY_EVICTED,
          (previous.dryRun() ? "dry-run: eviction already reported at " : "eviction already requested at ")
              + previous.requestedAt() + " (" + previous.status().wireName() + ")");
    }
    var breaker = history.breaker();
    if (breaker.isPresent() && now.isBefore(breaker.get().closesAt())) {
      return new Decision.Skip(RemediationRule.BREAKER_OPEN,
          "the blast-radius breaker is open since " + breaker.get().openedAt() + " (" + breaker.get().reason()
              + "); no evictions until " + breaker.get().closesAt() + " or a person resets it");
    }
    String storm = stormReason(history, target.nodeCount(), now);
    if (storm != null) {
      return new Decision.Page(RemediationRule.BLAST_RADIUS,
          "storm: likely a cluster-wide Cilium problem, not single pods (" + storm + "); all evictions stop");
    }
    if (previous != null) {
      return decideRetry(previous, target, history, now);
    }
    Instant lastAttempt = history.lastPodAttempt(podKey).orElse(null);
    if (lastAttempt != null && now.isBefore(lastAttempt.plus(config.podCooldown()))) {
      return new Decision.Wait(RemediationRule.POD_COOLDOWN,
          podKey + " was acted on at " + lastAttempt + "; remediation.podCooldown is " + config.podCooldown(),
          lastAttempt.plus(config.podCooldown()));
    }
    String ownerKey = pod.ownerKey();
    String owner = pod.owner().kind() + " " + pod.owner().name();
    List<Instant> attempts = history.ownerAttemptsSince(ownerKey, now.minus(ATTEMPT_WINDOW));
    if (attempts.size() >= config.maxAttemptsPerOwnerPerHour()) {
      return new Decision.Page(RemediationRule.OWNER_ATTEMPTS,
          attempts.size() + " evictions of " + owner + "'s pods within the last hour (limit "
              + config.maxAttemptsPerOwnerPerHour() + "): restarting is not fixing it");
    }
    Decision ownerPacing = ownerPacing(ownerKey, owner, target, history, now);
    if (ownerPacing != null) {
      return ownerPacing;
    }
    Decision rate = rateLimit(history, now);
    if (rate != null) {
      return rate;
    }
    // the detector says why a new pod fixes it (the full CNI chain, a new endpoint...); older findings do not
    String why = finding.facts().actionReason();
    return new Decision.Evict(RemediationRule.ELIGIBLE, "evict " + podKey + (why == null || why.isBlank()
        ? " so " + owner + " recreates it through the full CNI chain" : ": " + why) + pacedBy(target));
  }

  /**
   * Decides about a repair finding ({@code rp-filter-reset} with action repair): ask the node's probe to write
   * rp_filter back, wait, page or skip. The same rails as evictions where they apply (state readable, opt-out, the
   * breaker), and the node's own: cooldown, attempts per hour, and a limit on nodes repaired at once.
   */
  public Decision decideRepair(Finding finding, RepairTarget target, RemediationHistory history, Instant now) {
    RemediationConfig.RpFilterRepair repair = config.rpFilterRepair();
    if (finding.action() != PlannedAction.REPAIR) {
      return new Decision.Skip(RemediationRule.NOT_A_RESTART,
          "the detector planned " + finding.action().wireName() + ", not a repair");
    }
    String node = finding.resource().name();
    if (!repair.enabled()) {
      return new Decision.Page(RemediationRule.REPAIR_DISABLED,
          "remediation.rpFilterRepair.enabled is false: a person must set rp_filter on node " + node);
    }
    if (target.node() == null) {
      return new Decision.Skip(RemediationRule.NODE_GONE, "node " + node + " is gone: nothing to repair");
    }
    if (history == null) {
      return new Decision.Wait(RemediationRule.STATE_UNAVAILABLE,
          "the remediation state could not be read from " + config.stateNamespace() + "/" + config.stateConfigMap()
              + ", so the breaker cannot be honoured; retrying", now.plus(STATE_RETRY));
    }
    var nodeOptOut = io.chainwatch.model.RemediationOptOut.of(target.node());
    if (nodeOptOut.isPresent()) {
      return new Decision.Page(nodeOptOut.get().rule(), nodeOptOut.get().reason() + ": a person must set rp_filter");
    }
    if (target.previousProblem() != null) {
      return new Decision.Page(RemediationRule.REPAIR_RECORD_UNREADABLE, "the node's " + RepairRequest.ANNOTATION
          + " annotation cannot be read (" + target.previousProblem() + "), so its earlier attempts are unknown: "
          + "a person must look (removing the annotation lets chainwatch repair again)");
    }
    if (target.values().isEmpty()) {
      return new Decision.Page(RemediationRule.NOTHING_TO_REPAIR,
          "the node's latest report does not say what to write (no uplink, or the values are already right): a "
              + "person must look");
    }
    var breaker = history.breaker();
    if (breaker.isPresent() && now.isBefore(breaker.get().closesAt())) {
      return new Decision.Skip(RemediationRule.BREAKER_OPEN,
          "the blast-radius breaker is open since " + breaker.get().openedAt() + " (" + breaker.get().reason()
              + "); no repairs until " + breaker.get().closesAt() + " or a person resets it");
    }
    RepairRequest previous = target.previous();
    if (previous != null && now.isBefore(previous.requestedAt().plus(repair.nodeCooldown()))) {
      return new Decision.Wait(RemediationRule.NODE_COOLDOWN,
          "a repair of node " + node + " was requested at " + previous.requestedAt()
              + "; remediation.rpFilterRepair.nodeCooldown is " + repair.nodeCooldown(),
          previous.requestedAt().plus(repair.nodeCooldown()));
    }
    int attempts = previous == null ? 0 : previous.attemptsSince(now.minus(ATTEMPT_WINDOW)).size();
    if (attempts >= repair.maxAttemptsPerNodePerHour()) {
      return new Decision.Page(RemediationRule.NODE_ATTEMPTS,
          attempts + " repairs of node " + node + " within the last hour (limit " + repair.maxAttemptsPerNodePerHour()
              + "): something keeps resetting rp_filter (systemd-sysctl, a config agent, Cilium's sysctlfix)");
    }
    if (target.nodesRequestedInWindow() >= repair.maxNodesPerWindow()) {
      return new Decision.Page(RemediationRule.REPAIR_STORM,
          target.nodesRequestedInWindow() + " nodes were repaired within " + config.breaker().window()
              + " (remediation.rpFilterRepair.maxNodesPerWindow " + repair.maxNodesPerWindow() + "): likely a "
              + "fleet-wide change such as an OS image or a sysctl rollout; a person must fix its source");
    }
    return new Decision.Repair(RemediationRule.ELIGIBLE, "ask the probe on node " + node + " to write rp_filter "
        + target.values() + (attempts == 0 ? "" : " (attempt " + (attempts + 1) + " this hour)"));
  }

  private Decision decideRetry(EvictionRecord refused, RemediationTarget target, RemediationHistory history,
      Instant now) {
    String budget = refused.budget() != null ? refused.budget()
        : target.budgetNames().isEmpty() ? "its PodDisruptionBudget" : String.join(", ", target.budgetNames());
    if (refused.budgetRefusals() > config.budgetRetries()) {
      return new Decision.Page(RemediationRule.BUDGET_EXHAUSTED,
          "PodDisruptionBudget " + budget + " refused the eviction " + refused.budgetRefusals()
              + " times (remediation.budgetRetries " + config.budgetRetries() + "): a person must make room or "
              + "restart the pod");
    }
    if (refused.retryAt() != null && now.isBefore(refused.retryAt())) {
      return new Decision.Wait(RemediationRule.BUDGET_BACKOFF,
          "PodDisruptionBudget " + budget + " refused the eviction (" + refused.budgetRefusals() + " of "
              + (config.budgetRetries() + 1) + " tries); retrying", refused.retryAt());
    }
    Decision rate = rateLimit(history, now);
    if (rate != null) {
      return rate;
    }
    return new Decision.Evict(RemediationRule.ELIGIBLE, "retry the eviction refused by PodDisruptionBudget "
        + budget + " (try " + (refused.budgetRefusals() + 1) + " of " + (config.budgetRetries() + 1) + ")");
  }

  /** One eviction in flight per owner, and a pause between them, unless a budget paces the owner's pods. */
  private Decision ownerPacing(String ownerKey, String owner, RemediationTarget target, RemediationHistory history,
      Instant now) {
    if (!target.budgets().isEmpty()) {
      return null;
    }
    var inFlight = history.inFlightFor(ownerKey);
    if (inFlight.isPresent()) {
      Instant until = inFlight.get().requestedAt().plus(config.verifyTimeout());
      return new Decision.Wait(RemediationRule.OWNER_IN_FLIGHT,
          "pod " + inFlight.get().podKey() + " of " + owner + " is being restarted; the next waits until its "
              + "replacement runs with a CiliumEndpoint", until.isAfter(now) ? until : now.plusSeconds(1));
    }
    List<Instant> attempts = history.ownerAttemptsSince(ownerKey, now.minus(config.ownerCooldown()));
    if (!attempts.isEmpty() && !config.ownerCooldown().isZero()) {
      Instant last = attempts.get(attempts.size() - 1);
      return new Decision.Wait(RemediationRule.OWNER_COOLDOWN,
          "a pod of " + owner + " was evicted at " + last + "; remediation.ownerCooldown is "
              + config.ownerCooldown(), last.plus(config.ownerCooldown()));
    }
    return null;
  }

  private Decision rateLimit(RemediationHistory history, Instant now) {
    List<Instant> recent = history.evictionsSince(now.minus(RATE_WINDOW));
    if (recent.size() >= config.maxEvictionsPerMinute()) {
      return new Decision.Wait(RemediationRule.RATE_LIMIT,
          recent.size() + " evictions in the last minute (remediation.maxEvictionsPerMinute "
              + config.maxEvictionsPerMinute() + ")", recent.get(0).plus(RATE_WINDOW));
    }
    return null;
  }

  private static String pacedBy(RemediationTarget target) {
    return target.budgets().isEmpty() ? "" : "; PodDisruptionBudget " + String.join(", ", target.budgetNames())
        + " paces its pods";
  }

  /**
   * Why the restart findings counted in the breaker window amount to a storm, or {@code null}. Public so the
   * verticle can put the same figures in the breaker's record.
   */
  public String stormReason(RemediationHistory history, int nodeCount, Instant now) {
    RemediationConfig.Breaker limits = config.breaker();
    Map<String, RemediationHistory.CountedFinding> counted = history.restartFindingsSince(now.minus(limits.window()));
    if (counted.size() > limits.maxPods()) {
      return counted.size() + " pods with restart findings within " + limits.window() + " (remediation.breaker"
          + ".maxPods " + limits.maxPods() + ")";
    }
    long nodes = counted.values().stream().map(RemediationHistory.CountedFinding::node)
        .filter(Objects::nonNull).distinct().count();
    if (nodes >= limits.minNodes() && nodeCount > 0 && (double) nodes / nodeCount > limits.maxNodeShare()) {
      return "restart findings on " + nodes + " of " + nodeCount + " nodes within " + limits.window()
          + " (remediation.breaker.maxNodeShare " + limits.maxNodeShare() + ")";
    }
    return null;
  }

  /** When a refused eviction may be retried: the backoff doubles with each refusal, up to ten minutes. */
  public Instant retryAfterRefusal(int refusalsSoFar, Instant now) {
    Duration wait = config.budgetBackoff();
    for (int i = 0; i < refusalsSoFar && wait.compareTo(MAX_BUDGET_BACKOFF) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return now.plus(wait.compareTo(MAX_BUDGET_BACKOFF) > 0 ? MAX_BUDGET_BACKOFF : wait);
  }

  public RemediationConfig config() {
    return config;
  }
}
