package io.chainwatch.remediation;

import io.chainwatch.bus.BusAddresses;
import io.chainwatch.model.BreakerChange;
import io.chainwatch.model.Decision;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingCleared;
import io.chainwatch.model.NodeReport;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.RemediationDecision;
import io.chainwatch.model.RemediationOutcome;
import io.chainwatch.model.RemediationOutcome.Result;
import io.chainwatch.model.RemediationRule;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.remediation.action.EvictPodRemediation;
import io.chainwatch.remediation.action.EvictionResult;
import io.chainwatch.remediation.action.NodeRepairRequester;
import io.chainwatch.remediation.action.RepairRequestCodec;
import io.chainwatch.remediation.action.RemediationStateCodec;
import io.chainwatch.remediation.action.RemediationStateStore;
import io.chainwatch.remediation.policy.EvictionRecord;
import io.chainwatch.remediation.policy.RemediationHistory;
import io.chainwatch.remediation.policy.RemediationPolicy;
import io.chainwatch.remediation.policy.RemediationTarget;
import io.chainwatch.remediation.policy.RepairRequest;
import io.chainwatch.remediation.policy.RepairTarget;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns restart findings into evictions behind the policy: decides on every restart finding, records the intent in
 * the cluster before writing, evicts, follows the replacement until it runs with its CiliumEndpoint, and publishes
 * every decision and outcome on the bus. Repair findings (opt-in) go through the same policy and become a request on
 * the Node for its probe, followed until the node's report answers it. Findings that must wait are re-decided when
 * their wait ends. All state is touched on this verticle's event loop; the eviction is asynchronous, and the state
 * and repair writes run on a worker.
 */
public final class RemediationVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RemediationVerticle.class);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  private static final Duration TICK = Duration.ofSeconds(1);
  private static final Duration RESET_POLL = Duration.ofSeconds(15);
  private static final Duration NOT_LEADER_RETRY = Duration.ofSeconds(10);
  /**
   * Allowance when telling a replacement from an older sibling: creation times have whole seconds, and the clocks of
   * chainwatch and the API server differ a little.
   */
  private static final Duration CREATION_SKEW = Duration.ofSeconds(2);
  private static final int MAX_CONFLICT_RETRIES = 3;

  private final RemediationPolicy policy;
  private final RemediationView view;
  private final EvictPodRemediation evictor;
  private final NodeRepairRequester repairer;
  private final RemediationStateStore store;
  private final WritePermit permit;
  private final Clock clock;
  private final boolean dryRun;

  /** Never null once first read: an eviction's answer may arrive at any time and must find it. */
  private RemediationHistory history;
  /**
   * Whether {@link #history} was read from the cluster since this replica last started leading. Until it is, nothing
   * is decided (the previous leader's work is in the cluster, not in this replica's memory), but answers to requests
   * already in flight are still recorded.
   */
  private boolean stateCurrent;
  private String resourceVersion;
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  private final Map<String, String> lastPublished = new LinkedHashMap<>();
  /** Repair requests written and not yet answered, by node. */
  private final Map<String, InFlightRepair> repairsInFlight = new LinkedHashMap<>();
  /** The finding behind each eviction being followed, by pod UID. */
  private final Map<String, Finding> findingsByPodUid = new LinkedHashMap<>();
  /** Replacement pods already credited to an eviction: one replacement verifies one eviction, not two. */
  private final Set<String> creditedReplacements = new HashSet<>();
  private final List<Promise<Void>> saveWaiters = new ArrayList<>();
  private boolean writing;
  private int conflicts;
  private Instant nextResetPoll = Instant.MIN;
  private boolean loading;
  private boolean loadAgain;
  private boolean wasLeading;

  private static final class Pending {
    Finding finding;
    Instant nextAt;

    Pending(Finding finding, Instant nextAt) {
      this.finding = finding;
      this.nextAt = nextAt;
    }
  }

  public RemediationVerticle(RemediationPolicy policy, RemediationView view, EvictPodRemediation evictor,
      NodeRepairRequester repairer, RemediationStateStore store, WritePermit permit, Clock clock) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.view = Objects.requireNonNull(view, "view");
    this.evictor = Objects.requireNonNull(evictor, "evictor");
    this.repairer = Objects.requireNonNull(repairer, "repairer");
    this.store = Objects.requireNonNull(store, "store");
    this.permit = Objects.requireNonNull(permit, "permit");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.dryRun = policy.config().dryRun();
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<Finding>localConsumer(BusAddresses.FINDINGS, message -> onFinding(message.body()));
    vertx.eventBus().<FindingCleared>localConsumer(BusAddresses.FINDINGS_CLEARED,
        message -> onCleared(message.body()));
    vertx.setPeriodic(TICK.toMillis(), id -> tick());
    LOG.info("Remediation mode {}: {}", policy.config().mode(), dryRun
        ? "decisions are reported, no pod is evicted" : "restart findings lead to evictions");
    wasLeading = permit.mayWriteNow();
    loadState();
    return Future.succeededFuture();
  }

  /** Whether the saved state has been read (until then every finding waits). */
  public Future<Boolean> stateLoaded() {
    Promise<Boolean> result = Promise.promise();
    context.runOnContext(v -> result.complete(history != null && stateCurrent));
    return result.future();
  }

  private void loadState() {
    if (loading) {
      // a read already under way may predate what made this one necessary (the previous leader's last writes)
      loadAgain = true;
      return;
    }
    loading = true;
    vertx.executeBlocking(store::load).onComplete(loaded -> {
      loading = false;
      if (loadAgain) {
        loadAgain = false;
        loadState();
        return;
      }
      if (loaded.failed()) {
        LOG.error("Remediation state unavailable, nothing will be evicted until it can be read: {}",
            loaded.cause().getMessage());
        vertx.setTimer(30_000, id -> loadState());
        return;
      }
      RemediationStateStore.Stored stored = loaded.result();
      if (history != null) {
        // requests this replica sent while the state was being read again are newer than what was read
        stored.history().adoptOwnWork(history, findingsByPodUid.keySet());
      }
      history = stored.history();
      stateCurrent = true;
      resourceVersion = stored.resourceVersion();
      long inFlight = history.evictions().stream().filter(EvictionRecord::inFlight).count();
      LOG.info("Remediation state read from {}: {} evictions recorded, {} in flight{}", store.where(),
          history.evictions().size(), inFlight, history.breaker().map(b -> ", breaker OPEN: " + b.reason()).orElse(""));
      if (stored.resetRequested()) {
        resetBreaker("reset by a person (annotation " + RemediationStateStore.RESET_BREAKER_ANNOTATION + ")");
      }
      decideAll();
    });
  }

  private void onFinding(Finding finding) {
    String key = finding.dedupKey();
    if (finding.action() != PlannedAction.RESTART && finding.action() != PlannedAction.REPAIR) {
      pending.remove(key);
      return;
    }
    pending.put(key, new Pending(finding, clock.instant()));
    decide(key);
  }

  private void onCleared(FindingCleared cleared) {
    String key = cleared.finding().dedupKey();
    pending.remove(key);
    lastPublished.remove(key);
    InFlightRepair repair = repairsInFlight.get(cleared.finding().resource().name());
    if (repair != null && repair.finding.dedupKey().equals(key)) {
      repairsInFlight.remove(cleared.finding().resource().name());
      Map<String, Object> evidence = repairEvidence(repair.request, cleared.finding().resource().name());
      answerOf(repair).ifPresent(answer -> evidence.put("written", answer.written()));
      evidence.put("verifiedAfterSeconds",
          Duration.between(repair.request.requestedAt(), clock.instant()).toSeconds());
      LOG.info("Verified: rp_filter on node {} is right again", cleared.finding().resource().name());
      publishOutcome(repair.finding, Result.VERIFIED, "rp_filter on node " + cleared.finding().resource().name()
          + " is right again: the node's report no longer shows the problem", evidence, clock.instant());
    }
  }

  private void decideAll() {
    for (String key : new ArrayList<>(pending.keySet())) {
      decide(key);
    }
  }

  private void decide(String key) {
    Pending entry = pending.get(key);
    if (entry == null) {
      return;
    }
    if (!leading()) {
      // a follower keeps the finding and decides nothing: the leader acts, and this replica takes over when it leads
      entry.nextAt = clock.instant().plus(Duration.ofSeconds(1));
      return;
    }
    if (history != null && !stateCurrent && loading) {
      // leadership just began: decide on the state the previous leader left, once it is read
      entry.nextAt = clock.instant().plus(Duration.ofSeconds(1));
      return;
    }
    Finding finding = entry.finding;
    Instant now = clock.instant();
    if (finding.action() == PlannedAction.REPAIR) {
      decideRepair(key, entry, now);
      return;
    }
    RemediationTarget target = targetOf(finding);
    if (history != null && target.pod() != null) {
      history.countRestartFinding(key(target.pod()), target.pod().nodeName(), now,
          policy.config().breaker().maxPods() + 1);
    }
    Decision decision = policy.decide(finding, target, stateCurrent ? history : null, now);
    publishDecision(finding, decision, now);
    if (decision instanceof Decision.Wait wait) {
      entry.nextAt = wait.until();
    } else if (decision.rule() == RemediationRule.BREAKER_OPEN || decision.rule() == RemediationRule.BLAST_RADIUS) {
      if (decision.rule() == RemediationRule.BLAST_RADIUS) {
        openBreaker(decision.why(), target.nodeCount(), now);
      }
      // kept, to be decided again when the breaker closes
      entry.nextAt = history.breaker().map(RemediationHistory.BreakerState::closesAt).orElse(now.plusSeconds(60));
    } else {
      pending.remove(key);
      if (decision instanceof Decision.Evict) {
        act(finding, target, now);
      }
    }
  }

  private void decideRepair(String key, Pending entry, Instant now) {
    Finding finding = entry.finding;
    RepairTarget target = repairTargetOf(finding, now);
    Decision decision = policy.decideRepair(finding, target, stateCurrent ? history : null, now);
    publishDecision(finding, decision, now);
    if (decision instanceof Decision.Wait wait) {
      entry.nextAt = wait.until();
    } else if (decision.rule() == RemediationRule.BREAKER_OPEN) {
      entry.nextAt = history.breaker().map(RemediationHistory.BreakerState::closesAt).orElse(now.plusSeconds(60));
    } else {
      pending.remove(key);
      if (decision instanceof Decision.Repair) {
        requestRepair(finding, target, now);
      }
    }
  }

  private RepairTarget repairTargetOf(Finding finding, Instant now) {
    String name = finding.resource().name();
    NodeSnapshot node = view.node(name).orElse(null);
    RepairRequest previous = null;
    String problem = null;
    String text = node == null ? null : node.annotations().get(RepairRequest.ANNOTATION);
    if (text != null) {
      try {
        previous = RepairRequestCodec.decode(text);
      } catch (IllegalArgumentException e) {
        problem = e.getMessage();
      }
    }
    InFlightRepair inFlight = repairsInFlight.get(name);
    if (inFlight != null && (previous == null || previous.requestedAt().isBefore(inFlight.request.requestedAt()))) {
      previous = inFlight.request; // written, but not yet seen back through the informer
      problem = null;
    }
    boolean nativeRouting = finding.facts().nativeRouting();
    Map<String, Integer> values = node == null || node.report() == null || node.report().problem() != null
        ? Map.of() : node.report().rpFilterRepair(nativeRouting);
    Instant windowStart = now.minus(policy.config().breaker().window());
    int others = 0;
    for (NodeSnapshot other : view.nodesAnnotated(RepairRequest.ANNOTATION)) {
      if (other.name().equals(name)) {
        continue;
      }
      try {
        if (RepairRequestCodec.decode(other.annotations().get(RepairRequest.ANNOTATION)).requestedAt()
            .isAfter(windowStart)) {
          others++;
        }
      } catch (IllegalArgumentException e) {
        others++; // unreadable: count it, so a garbled fleet never lets more repairs through
      }
    }
    return new RepairTarget(node, previous, problem, values, others);
  }

  private void requestRepair(Finding finding, RepairTarget target, Instant now) {
    String node = target.node().name();
    RepairRequest request = RepairRequest.next(target.previous(), UUID.randomUUID().toString(), now,
        policy.config().rpFilterRepair().requestTtl(), target.values(), finding.dedupKey());
    Map<String, Object> evidence = repairEvidence(request, node);
    if (dryRun) {
      LOG.info("dry-run: would ask the probe on node {} to write rp_filter {}", node, request.values());
      publishOutcome(finding, Result.WOULD_REPAIR, "dry-run: chainwatch would have asked the probe on node " + node
          + " to write rp_filter " + request.values() + " (remediation.mode is dry-run; set it to enforce to act)",
          evidence, now);
      return;
    }
    repairsInFlight.put(node, new InFlightRepair(finding, request));
    vertx.executeBlocking(() -> {
      if (!permit.mayWriteNow()) {
        throw new NotPermitted("not the leader, or the lease is past its renew deadline");
      }
      repairer.request(node, request);
      return null;
    }).onComplete(written -> {
      Instant at = clock.instant();
      if (written.failed()) {
        repairsInFlight.remove(node);
        boolean notLeader = written.cause() instanceof NotPermitted;
        LOG.warn("Repair request for node {} not written: {}", node, written.cause().getMessage());
        publishOutcome(finding, notLeader ? Result.NOT_LEADER : Result.FAILED, notLeader
            ? "no repair requested: this replica may not write now (" + written.cause().getMessage() + ")"
            : "the repair request could not be written on node " + node + ": " + written.cause().getMessage(),
            evidence, at);
        if (notLeader) {
          repend(finding, at.plus(NOT_LEADER_RETRY));
        }
        return;
      }
      LOG.info("Asked the probe on node {} to write rp_filter {} (request {})", node, request.values(), request.id());
      publishOutcome(finding, Result.REPAIR_REQUESTED, "asked the probe on node " + node + " to write rp_filter "
          + request.values() + "; waiting up to " + policy.config().verifyTimeout() + " for its report", evidence, at);
    });
  }

  /** Follows repair requests until the node's report answers them; returns true when one settled. */
  private boolean verifyRepairs(Instant now) {
    boolean settled = false;
    for (Map.Entry<String, InFlightRepair> entry : new ArrayList<>(repairsInFlight.entrySet())) {
      String node = entry.getKey();
      InFlightRepair repair = entry.getValue();
      NodeReport.RepairAnswer answer = answerOf(repair).orElse(null);
      Map<String, Object> evidence = repairEvidence(repair.request, node);
      if (answer != null && (answer.refused() != null || !answer.errors().isEmpty())) {
        repairsInFlight.remove(node);
        evidence.put("written", answer.written());
        evidence.put("errors", answer.errors());
        if (answer.refused() != null) {
          evidence.put("refused", answer.refused());
        }
        String why = answer.refused() != null ? "refused: " + answer.refused() : "could not write " + answer.errors();
        LOG.warn("The probe on node {} did not repair rp_filter: {}", node, why);
        publishOutcome(repair.finding, Result.FAILED, "the probe on node " + node + " " + why, evidence, now);
        settled = true;
      } else if (!now.isBefore(repair.request.requestedAt().plus(policy.config().verifyTimeout()))) {
        repairsInFlight.remove(node);
        String detail;
        if (answer == null) {
          detail = "repair did not help: the probe on node " + node + " did not answer within "
              + policy.config().verifyTimeout() + " (is it running, with repair enabled: the chart's "
              + "rpFilterRepair.enabled?)";
        } else {
          evidence.put("written", answer.written());
          detail = "repair did not help: the probe on node " + node + " wrote rp_filter " + answer.written()
              + " but its report still shows the problem: something sets it back (systemd-sysctl, a config agent, "
              + "Cilium's sysctlfix)";
        }
        LOG.warn("Repair of node {} did not help: {}", node, detail);
        publishOutcome(repair.finding, Result.NOT_HELPED, detail, evidence, now);
        settled = true;
      }
    }
    return settled;
  }

  private Optional<NodeReport.RepairAnswer> answerOf(InFlightRepair repair) {
    return view.node(repair.finding.resource().name()).map(NodeSnapshot::report).map(NodeReport::repair)
        .filter(answer -> answer.id().equals(repair.request.id()));
  }

  private static Map<String, Object> repairEvidence(RepairRequest request, String node) {
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("node", node);
    evidence.put("requestId", request.id());
    evidence.put("rpFilter", request.values());
    evidence.put("requestedAt", request.requestedAt().toString());
    evidence.put("expiresAt", request.expiresAt().toString());
    evidence.put("attemptsThisHour", request.attempts().size());
    return evidence;
  }

  private record InFlightRepair(Finding finding, RepairRequest request) {}

  private RemediationTarget targetOf(Finding finding) {
    PodSnapshot pod = view.pod(finding.resource().namespace(), finding.resource().name()).orElse(null);
    return new RemediationTarget(pod,
        view.namespace(finding.resource().namespace()).orElse(null),
        pod == null ? List.of() : view.budgetsFor(pod),
        view.nodeCount());
  }

  private void act(Finding finding, RemediationTarget target, Instant now) {
    PodSnapshot pod = target.pod();
    String podKey = key(pod);
    EvictionRecord previous = history.eviction(pod.uid()).orElse(null);
    boolean retry = previous != null && previous.status() == EvictionRecord.Status.REFUSED;
    EvictionRecord record = retry ? previous.retried(now)
        : new EvictionRecord(podKey, pod.uid(), pod.ownerKey(), pod.nodeName(), finding.dedupKey(), now,
            dryRun ? EvictionRecord.Status.SETTLED : EvictionRecord.Status.REQUESTED, 0, null, null, dryRun);
    history.putEviction(record);
    if (!dryRun) {
      findingsByPodUid.put(pod.uid(), finding);
    }
    history.recordAttempt(podKey, pod.ownerKey(), now, !dryRun && !retry);
    if (dryRun) {
      LOG.info("dry-run: would evict {} for finding {}", podKey, finding.dedupKey());
      publishOutcome(finding, Result.WOULD_EVICT, "dry-run: chainwatch would have evicted " + podKey
          + " (remediation.mode is dry-run; set it to enforce to act)", evidence(record, target), now);
      save();
      return;
    }
    // The intent is saved before the request, so that a restart after the request never repeats it.
    save().onComplete(saved -> {
      if (saved.failed()) {
        history.removeEviction(pod.uid());
        findingsByPodUid.remove(pod.uid());
        if (retry) {
          history.putEviction(previous);
        }
        history.withdrawAttempt(podKey, pod.ownerKey(), now);
        if (saved.cause() instanceof StateChanged) {
          // decided on a state another writer changed: decide again on the merged one, at once (nothing was sent)
          repend(finding, clock.instant());
          decide(finding.dedupKey());
          return;
        }
        boolean notLeader = saved.cause() instanceof NotPermitted;
        publishOutcome(finding, notLeader ? Result.NOT_LEADER : Result.FAILED, notLeader
            ? "not evicted: this replica may not write now (" + saved.cause().getMessage() + ")"
            : "not evicted: the intent could not be saved to " + store.where() + ": " + saved.cause().getMessage(),
            evidence(record, target), clock.instant());
        repend(finding, clock.instant().plus(notLeader ? NOT_LEADER_RETRY : policy.config().podCooldown()));
        return;
      }
      if (!permit.mayWriteNow()) {
        history.removeEviction(pod.uid());
        findingsByPodUid.remove(pod.uid());
        if (retry) {
          history.putEviction(previous);
        }
        history.withdrawAttempt(podKey, pod.ownerKey(), now);
        publishOutcome(finding, Result.NOT_LEADER, "not evicted: this replica lost the right to write",
            evidence(record, target), clock.instant());
        repend(finding, clock.instant().plus(NOT_LEADER_RETRY));
        save();
        return;
      }
      LOG.info("Evicting {} (uid {}) for finding {}", podKey, pod.uid(), finding.dedupKey());
      Future.fromCompletionStage(evictor.evict(pod.namespace(), pod.name(), pod.uid()), context)
          .onComplete(result -> onEvictionResult(finding, target, record, result.result()));
    });
  }

  private void onEvictionResult(Finding finding, RemediationTarget target, EvictionRecord record,
      EvictionResult result) {
    Instant now = clock.instant();
    Map<String, Object> evidence = evidence(record, target);
    evidence.put("httpStatus", result.httpStatus());
    evidence.put("apiMessage", result.message());
    switch (result.kind()) {
      case EVICTED -> {
        history.putEviction(record.withStatus(EvictionRecord.Status.EVICTED));
        LOG.info("Evicted {}; following its replacement", record.podKey());
        publishOutcome(finding, Result.EVICTED, "evicted " + record.podKey() + "; waiting up to "
            + policy.config().verifyTimeout() + " for its replacement to run with a CiliumEndpoint", evidence, now);
      }
      case GONE -> {
        findingsByPodUid.remove(record.podUid());
        history.putEviction(record.withStatus(EvictionRecord.Status.SETTLED));
        publishOutcome(finding, Result.GONE, record.podKey() + " was already gone: nothing left to restart",
            evidence, now);
      }
      case BUDGET_REFUSED -> {
        findingsByPodUid.remove(record.podUid());
        String budget = result.budget() != null ? result.budget()
            : target.budgetNames().isEmpty() ? null : String.join(", ", target.budgetNames());
        Instant retryAt = policy.retryAfterRefusal(record.budgetRefusals(), now);
        EvictionRecord refused = record.refused(retryAt, budget);
        history.putEviction(refused);
        evidence.put("budget", budget);
        evidence.put("budgetRefusals", refused.budgetRefusals());
        evidence.put("retryAt", retryAt.toString());
        LOG.info("PodDisruptionBudget {} refused evicting {} ({} so far); retry at {}", budget, record.podKey(),
            refused.budgetRefusals(), retryAt);
        publishOutcome(finding, Result.BUDGET_REFUSED, "PodDisruptionBudget " + (budget == null ? "" : budget + " ")
            + "refused evicting " + record.podKey() + " (" + result.message() + ")", evidence, now);
        repend(finding, retryAt);
      }
      case FAILED -> {
        findingsByPodUid.remove(record.podUid());
        // The request may or may not have reached the API server: settle it and let a person look.
        history.putEviction(record.withStatus(EvictionRecord.Status.SETTLED));
        LOG.error("Eviction of {} failed: {}", record.podKey(), result.message());
        publishOutcome(finding, Result.FAILED, "evicting " + record.podKey() + " failed: " + result.message(),
            evidence, now);
      }
    }
    save();
    if (result.kind() != EvictionResult.Kind.EVICTED) {
      decideWaiting();
    }
  }

  private void repend(Finding finding, Instant at) {
    pending.put(finding.dedupKey(), new Pending(finding, at));
  }

  /**
   * Asks the permit and notices the start of leadership, wherever it is first seen (a decision or the tick): the state
   * is then read again before the next decision, and the history stays in place for answers already in flight.
   */
  private boolean leading() {
    boolean leadingNow = permit.mayWriteNow();
    if (leadingNow && !wasLeading) {
      LOG.info("Leading now: reading the remediation state the previous leader left in {}", store.where());
      stateCurrent = false;
      loadState();
    }
    wasLeading = leadingNow;
    return leadingNow;
  }

  private void tick() {
    leading();
    if (history == null) {
      return;
    }
    Instant now = clock.instant();
    boolean settled = verifyEvictions(now) | verifyRepairs(now);
    var breaker = history.breaker();
    if (breaker.isPresent()) {
      if (!now.isBefore(breaker.get().closesAt())) {
        closeBreaker("cooldown remediation.breaker.cooldown passed", now);
        settled = true;
      } else if (!now.isBefore(nextResetPoll)) {
        nextResetPoll = now.plus(RESET_POLL);
        vertx.executeBlocking(store::load).onSuccess(stored -> {
          if (stored.resetRequested() && history.breaker().isPresent()) {
            history.mergeFrom(stored.history()); // whatever else changed there is kept, not overwritten
            resourceVersion = stored.resourceVersion();
            resetBreaker("reset by a person (annotation " + RemediationStateStore.RESET_BREAKER_ANNOTATION + ")");
          }
        });
      }
    }
    history.prune(now, policy.config().breaker().window(), this::podStillExists);
    if (settled) {
      decideAll();
    } else {
      decideDue(now);
    }
  }

  /** Whether the evicted pod (that UID, not just that name) is still in the view. */
  private boolean podStillExists(EvictionRecord record) {
    int slash = record.podKey().indexOf('/');
    return view.pod(record.podKey().substring(0, slash), record.podKey().substring(slash + 1))
        .map(pod -> record.podUid().equals(pod.uid())).orElse(false);
  }

  private void decideDue(Instant now) {
    for (Map.Entry<String, Pending> entry : new ArrayList<>(pending.entrySet())) {
      if (!now.isBefore(entry.getValue().nextAt)) {
        decide(entry.getKey());
      }
    }
  }

  /** Waits on an owner or the rate may have ended early: decide again those that wait. */
  private void decideWaiting() {
    decideDue(Instant.MAX);
  }

  /** Follows evicted pods' replacements; returns true when an eviction settled. */
  private boolean verifyEvictions(Instant now) {
    Duration answerWindow = policy.config().requestTimeout().plusSeconds(5);
    List<EvictionRecord> following = history.evictions().stream()
        .filter(record -> !record.dryRun() && (record.status() == EvictionRecord.Status.EVICTED
            || (record.status() == EvictionRecord.Status.REQUESTED
                && now.isAfter(record.requestedAt().plus(answerWindow)))))
        .toList();
    if (following.isEmpty()) {
      return false;
    }
    Set<String> owners = new HashSet<>();
    following.forEach(record -> owners.add(record.ownerKey()));
    Map<String, List<PodSnapshot>> podsByOwner = view.podsByOwner(owners);
    boolean settled = false;
    for (EvictionRecord record : following) {
      List<PodSnapshot> replacements = podsByOwner.getOrDefault(record.ownerKey(), List.of()).stream()
          .filter(pod -> !pod.uid().equals(record.podUid()) && !pod.terminating() && pod.createdAt() != null
              && !creditedReplacements.contains(pod.uid())
              && !pod.createdAt().isBefore(record.requestedAt().minus(CREATION_SKEW)))
          .toList();
      PodSnapshot healthy = replacements.stream().filter(pod -> pod.running() && view.hasEndpoint(pod))
          .findFirst().orElse(null);
      Finding finding = findingOf(record);
      if (healthy != null) {
        creditedReplacements.add(healthy.uid());
        if (creditedReplacements.size() > 10_000) {
          creditedReplacements.clear(); // old credits matter only for evictions of the last minutes
        }
        history.putEviction(record.withStatus(EvictionRecord.Status.SETTLED));
        Map<String, Object> evidence = recordEvidence(record);
        evidence.put("replacement", key(healthy));
        evidence.put("replacementUid", healthy.uid());
        evidence.put("verifiedAfterSeconds", Duration.between(record.requestedAt(), now).toSeconds());
        LOG.info("Verified: {} replaced {} and has its CiliumEndpoint", key(healthy), record.podKey());
        publishOutcome(finding, Result.VERIFIED, key(healthy) + " replaced " + record.podKey()
            + " and runs with its CiliumEndpoint", evidence, now);
        settled = true;
      } else if (!now.isBefore(record.requestedAt().plus(policy.config().verifyTimeout()))) {
        history.putEviction(record.withStatus(EvictionRecord.Status.SETTLED));
        Map<String, Object> evidence = recordEvidence(record);
        List<Map<String, Object>> seen = new ArrayList<>();
        for (PodSnapshot pod : replacements) {
          Map<String, Object> candidate = new LinkedHashMap<>();
          candidate.put("pod", key(pod));
          candidate.put("phase", pod.phase());
          candidate.put("ciliumEndpoint", view.hasEndpoint(pod));
          candidate.put("node", pod.nodeName());
          seen.add(candidate);
        }
        evidence.put("replacements", seen);
        boolean stillThere = view.pod(namespaceOf(record.podKey()), nameOf(record.podKey()))
            .filter(pod -> pod.uid().equals(record.podUid())).isPresent();
        evidence.put("evictedPodStillPresent", stillThere);
        String interrupted = record.status() == EvictionRecord.Status.REQUESTED
            ? " (the eviction's answer was never processed: chainwatch restarted or the request hung)" : "";
        LOG.warn("Restart of {} did not help within {}", record.podKey(), policy.config().verifyTimeout());
        publishOutcome(finding, Result.NOT_HELPED, "restart did not help: no replacement of " + record.podKey()
            + " runs with a CiliumEndpoint " + policy.config().verifyTimeout() + " after the eviction"
            + interrupted + (stillThere ? "; the evicted pod is still there" : "")
            + (replacements.isEmpty() ? "; no replacement pod appeared" : ""), evidence, now);
        settled = true;
      }
    }
    if (settled) {
      save();
    }
    return settled;
  }

  private void openBreaker(String reason, int nodeCount, Instant now) {
    Instant closesAt = now.plus(policy.config().breaker().cooldown());
    history.openBreaker(new RemediationHistory.BreakerState(now, closesAt, reason));
    Map<String, RemediationHistory.CountedFinding> counted =
        history.restartFindingsSince(now.minus(policy.config().breaker().window()));
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("podsCounted", counted.size());
    evidence.put("nodesAffected", counted.values().stream().map(RemediationHistory.CountedFinding::node)
        .filter(Objects::nonNull).distinct().count());
    evidence.put("nodesInCluster", nodeCount);
    evidence.put("window", policy.config().breaker().window().toString());
    evidence.put("maxPods", policy.config().breaker().maxPods());
    evidence.put("maxNodeShare", policy.config().breaker().maxNodeShare());
    evidence.put("pods", counted.keySet().stream().limit(20).toList());
    evidence.put("resetWith", "kubectl annotate configmap -n " + namespaceOf(store.where()) + " "
        + nameOf(store.where()) + " " + RemediationStateStore.RESET_BREAKER_ANNOTATION + "=now");
    LOG.warn("Blast-radius breaker OPEN until {}: {}", closesAt, reason);
    vertx.eventBus().publish(BusAddresses.REMEDIATION_BREAKER,
        new BreakerChange(true, reason, evidence, now, closesAt), LOCAL);
    save();
  }

  private void resetBreaker(String why) {
    closeBreaker(why, clock.instant());
    decideAll();
  }

  private void closeBreaker(String why, Instant now) {
    if (history.breaker().isEmpty()) {
      return;
    }
    history.closeBreaker();
    LOG.warn("Blast-radius breaker closed: {}", why);
    vertx.eventBus().publish(BusAddresses.REMEDIATION_BREAKER,
        new BreakerChange(false, why, Map.of(), now, null), LOCAL);
    save();
  }

  /** Writes the history; concurrent calls share one write. Fails with {@link NotPermitted} when not allowed. */
  private Future<Void> save() {
    Promise<Void> done = Promise.promise();
    saveWaiters.add(done);
    if (!writing) {
      writeNow();
    }
    return done.future();
  }

  private void writeNow() {
    writing = true;
    List<Promise<Void>> batch = new ArrayList<>(saveWaiters);
    saveWaiters.clear();
    String json = RemediationStateCodec.encode(history);
    String version = resourceVersion;
    vertx.executeBlocking(() -> {
      if (!permit.mayWriteNow()) {
        throw new NotPermitted("not the leader, or the lease is past its renew deadline");
      }
      return store.save(json, version);
    }).onComplete(written -> {
      if (written.succeeded()) {
        conflicts = 0;
        resourceVersion = written.result();
        batch.forEach(Promise::complete);
        finishWrite();
      } else if (written.cause() instanceof RemediationStateStore.Conflict && conflicts++ < MAX_CONFLICT_RETRIES) {
        LOG.info("Remediation state changed in the cluster; merging, and deciding again what was about to be done");
        vertx.executeBlocking(store::load).onComplete(reloaded -> {
          if (reloaded.succeeded()) {
            history.mergeFrom(reloaded.result().history());
            resourceVersion = reloaded.result().resourceVersion();
            if (reloaded.result().resetRequested()) {
              closeBreaker("reset by a person (annotation " + RemediationStateStore.RESET_BREAKER_ANNOTATION
                  + ")", clock.instant());
            }
          }
          // Another writer acted meanwhile (an overlap of two leaders): an intent decided on the older state may break
          // a rail the merged state now shows (one pod per owner). Its waiter withdraws it and decides again; the
          // rest of the merged history is written in the next write.
          StateChanged changed = new StateChanged();
          batch.forEach(promise -> promise.fail(changed));
          writing = false;
          saveWaiters.add(Promise.promise());
          writeNow();
        });
      } else {
        conflicts = 0;
        LOG.warn("Remediation state not saved: {}", written.cause().getMessage());
        batch.forEach(promise -> promise.fail(written.cause()));
        finishWrite();
      }
    });
  }

  private void finishWrite() {
    writing = false;
    if (!saveWaiters.isEmpty()) {
      writeNow();
    }
  }

  /** The state in the cluster changed before this write: what was decided on the older state is decided again. */
  static final class StateChanged extends RuntimeException {
    StateChanged() {
      super("the remediation state changed in the cluster meanwhile; deciding again on the merged state", null, false,
          false);
    }
  }

  /** The write was not allowed: this replica is not (or no longer surely) the leader. */
  static final class NotPermitted extends RuntimeException {
    NotPermitted(String message) {
      super(message, null, false, false);
    }
  }

  private void publishDecision(Finding finding, Decision decision, Instant now) {
    String signature = decision.verdict() + ":" + decision.rule().wireName();
    boolean acts = decision instanceof Decision.Evict || decision instanceof Decision.Repair;
    if (!acts && signature.equals(lastPublished.get(finding.dedupKey()))) {
      return; // the same wait or skip again says nothing new
    }
    lastPublished.put(finding.dedupKey(), signature);
    LOG.info("Decision for {}: {} ({}): {}", finding.dedupKey(), decision.verdict(), decision.rule().wireName(),
        decision.why());
    vertx.eventBus().publish(BusAddresses.REMEDIATION_DECISIONS,
        new RemediationDecision(finding, decision, dryRun, now), LOCAL);
  }

  private void publishOutcome(Finding finding, Result result, String detail, Map<String, Object> evidence,
      Instant now) {
    evidence.put("mode", policy.config().mode());
    vertx.eventBus().publish(BusAddresses.REMEDIATION_OUTCOMES,
        new RemediationOutcome(finding, result, detail, evidence, now), LOCAL);
  }

  private Map<String, Object> evidence(EvictionRecord record, RemediationTarget target) {
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

  /** The finding an eviction was for; rebuilt from the record when chainwatch restarted since. */
  private Finding findingOf(EvictionRecord record) {
    Finding finding = findingsByPodUid.remove(record.podUid());
    if (finding != null) {
      return finding;
    }
    String findingKey = record.findingKey() == null ? "" : record.findingKey();
    String detector = findingKey.contains(":") ? findingKey.substring(0, findingKey.indexOf(':')) : "unknown";
    String reason = findingKey.contains(":") ? findingKey.substring(findingKey.lastIndexOf(':') + 1) : "restored";
    return new Finding(detector, ResourceRef.pod(namespaceOf(record.podKey()), nameOf(record.podKey())),
        record.node(), Severity.CRITICAL, PlannedAction.RESTART, reason,
        "eviction of " + record.podKey() + " restored from the saved remediation state", record.requestedAt(),
        Map.of("podUid", record.podUid()));
  }

  private static String key(PodSnapshot pod) {
    return pod.namespace() + "/" + pod.name();
  }

  private static String namespaceOf(String key) {
    return key.substring(0, key.indexOf('/'));
  }

  private static String nameOf(String key) {
    return key.substring(key.indexOf('/') + 1);
  }
}
