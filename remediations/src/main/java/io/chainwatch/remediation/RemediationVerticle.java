package io.chainwatch.remediation;

import io.chainwatch.bus.BusAddresses;
import io.chainwatch.model.ApprovalChange;
import io.chainwatch.model.Decision;
import io.chainwatch.model.PersonAction;
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
import io.chainwatch.remediation.action.EvictPodRemediation;
import io.chainwatch.remediation.action.NodeRepairRequester;
import io.chainwatch.remediation.action.RepairRequestCodec;
import io.chainwatch.remediation.action.RemediationStateStore;
import io.chainwatch.remediation.policy.EvictionRecord;
import io.chainwatch.remediation.policy.RemediationHistory;
import io.chainwatch.remediation.policy.RemediationPolicy;
import io.chainwatch.remediation.policy.RemediationTarget;
import io.chainwatch.remediation.policy.RepairRequest;
import io.chainwatch.remediation.policy.RepairTarget;
import io.chainwatch.remediation.workflow.ApprovalBook;
import io.chainwatch.remediation.workflow.Breaker;
import io.chainwatch.remediation.workflow.Effect;
import io.chainwatch.remediation.workflow.EvictionAttempt;
import io.chainwatch.remediation.workflow.EvictionWorkflow;
import io.chainwatch.remediation.workflow.RepairAttempt;
import io.chainwatch.remediation.workflow.RepairWorkflow;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds remediation's workflows and performs their effects. Decides on every restart and repair finding through the
 * policy; an eviction or a repair then runs as a pure workflow ({@link EvictionWorkflow}, {@link RepairWorkflow},
 * the {@link Breaker}) whose effects this verticle performs: saving the state ({@link StateWriter}), evicting, asking
 * a probe, publishing on the bus, deciding again. Findings that must wait are re-decided when their wait ends. All
 * state is touched on this verticle's event loop; the eviction is asynchronous, and the state and repair writes run
 * on a worker.
 */
public final class RemediationVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RemediationVerticle.class);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  private static final Duration TICK = Duration.ofSeconds(1);
  private static final Duration RESET_POLL = Duration.ofSeconds(15);

  private final RemediationPolicy policy;
  private final RemediationView view;
  private final EvictPodRemediation evictor;
  private final NodeRepairRequester repairer;
  private final RemediationStateStore store;
  private final WritePermit permit;
  private final Clock clock;
  private final EvictionWorkflow evictions;
  private final RepairWorkflow repairs;
  private final Breaker breaker;
  private final ApprovalBook approvals;
  private StateWriter writer;

  /** Never null once first read: an eviction's answer may arrive at any time and must find it. */
  private RemediationHistory history;
  /**
   * Whether {@link #history} was read from the cluster since this replica last started leading. Until it is, nothing
   * is decided (the previous leader's work is in the cluster, not in this replica's memory), but answers to requests
   * already in flight are still recorded.
   */
  private boolean stateCurrent;
  private final WaitingFindings pending = new WaitingFindings();
  private final Map<String, String> lastPublished = new LinkedHashMap<>();
  private Instant nextResetPoll = Instant.MIN;
  private boolean loading;
  private boolean loadAgain;
  private boolean wasLeading;

  public RemediationVerticle(RemediationPolicy policy, RemediationView view, EvictPodRemediation evictor,
      NodeRepairRequester repairer, RemediationStateStore store, WritePermit permit, Clock clock) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.view = Objects.requireNonNull(view, "view");
    this.evictor = Objects.requireNonNull(evictor, "evictor");
    this.repairer = Objects.requireNonNull(repairer, "repairer");
    this.store = Objects.requireNonNull(store, "store");
    this.permit = Objects.requireNonNull(permit, "permit");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.evictions = new EvictionWorkflow(policy);
    this.repairs = new RepairWorkflow(policy.config());
    this.breaker = new Breaker(policy.config(), store.namespace(), store.name());
    this.approvals = new ApprovalBook(policy.config().approvalTimeout());
  }

  @Override
  public Future<?> start() {
    writer = new StateWriter(vertx, store, permit, () -> history, merged -> {
      if (merged.resetRequested()) {
        perform(breaker.close(history, "reset by a person (annotation " + Breaker.RESET_ANNOTATION + ")",
            clock.instant()));
      }
    });
    vertx.eventBus().<Finding>localConsumer(BusAddresses.FINDINGS, message -> onFinding(message.body()));
    vertx.eventBus().<FindingCleared>localConsumer(BusAddresses.FINDINGS_CLEARED,
        message -> onCleared(message.body()));
    vertx.eventBus().<PersonAction>localConsumer(BusAddresses.PERSON_ACTIONS, message -> onClick(message.body()));
    vertx.setPeriodic(TICK.toMillis(), id -> tick());
    LOG.info("Remediation mode {}{}: {}", policy.config().mode(), policy.config().detectorModes().isEmpty() ? ""
        : " (per detector: " + policy.config().detectorModes() + ")", policy.config().anyEnforced()
        ? "restart findings lead to evictions where their detector enforces" : "decisions are reported, nothing is "
        + "evicted or repaired");
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
    WorkerThreads.run(vertx, store::load).onComplete(loaded -> {
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
        stored.history().adoptOwnWork(history, evictions.followedPodUids());
      }
      history = stored.history();
      stateCurrent = true;
      writer.readAt(stored.resourceVersion());
      long inFlight = history.evictions().stream().filter(EvictionRecord::inFlight).count();
      LOG.info("Remediation state read from {}: {} evictions recorded, {} in flight{}", store.where(),
          history.evictions().size(), inFlight, history.breaker().map(b -> ", breaker OPEN: " + b.reason()).orElse(""));
      if (stored.resetRequested()) {
        perform(breaker.reset(history, clock.instant()));
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
    pending.put(finding, clock.instant());
    decide(key);
  }

  private void onCleared(FindingCleared cleared) {
    String key = cleared.finding().dedupKey();
    pending.remove(key);
    publishApprovals(approvals.withdraw(key, cleared.finding().resource().key() + " no longer needs it: withdrawn",
        clock.instant()));
    lastPublished.remove(key);
    perform(repairs.cleared(cleared.finding(), this::reportOf, clock.instant()));
  }

  private Optional<NodeReport> reportOf(String node) {
    return view.node(node).map(NodeSnapshot::report);
  }

  private void decideAll() {
    for (String key : pending.keys()) {
      decide(key);
    }
  }

  private void decide(String key) {
    WaitingFindings.Waiting entry = pending.get(key);
    if (entry == null) {
      return;
    }
    if (!leading()) {
      // a follower keeps the finding and decides nothing: the leader acts, and this replica takes over when it leads
      pending.schedule(entry, clock.instant().plus(Duration.ofSeconds(1)));
      return;
    }
    if (history != null && !stateCurrent && loading) {
      // leadership just began: decide on the state the previous leader left, once it is read
      pending.schedule(entry, clock.instant().plus(Duration.ofSeconds(1)));
      return;
    }
    Finding finding = entry.finding();
    Instant now = clock.instant();
    if (finding.action() == PlannedAction.REPAIR) {
      decideRepair(key, entry, now);
      return;
    }
    RemediationTarget target = targetOf(finding);
    if (history != null && target.pod() != null) {
      history.countRestartFinding(EvictionRecord.keyOf(target.pod()), target.pod().nodeName(), now,
          policy.config().breaker().maxPods() + 1);
    }
    Decision decision = askFirst(finding, policy.decide(finding, target, stateCurrent ? history : null, now), entry,
        now);
    if (decision == null) {
      return;
    }
    publishDecision(finding, decision, now);
    if (decision instanceof Decision.Wait wait) {
      pending.schedule(entry, wait.until());
    } else if (decision.rule() == RemediationRule.BREAKER_OPEN || decision.rule() == RemediationRule.BLAST_RADIUS) {
      if (decision.rule() == RemediationRule.BLAST_RADIUS) {
        perform(breaker.open(history, decision.why(), target.nodeCount(), now));
      }
      // kept, to be decided again when the breaker closes
      pending.schedule(entry, history.breaker().map(RemediationHistory.BreakerState::closesAt)
          .orElse(now.plusSeconds(60)));
    } else {
      pending.remove(key);
      if (decision instanceof Decision.Evict) {
        perform(evictions.evict(history, finding, target, now));
      }
    }
  }

  private void decideRepair(String key, WaitingFindings.Waiting entry, Instant now) {
    Finding finding = entry.finding();
    RepairTarget target = repairTargetOf(finding, now);
    Decision decision = askFirst(finding, policy.decideRepair(finding, target, stateCurrent ? history : null, now),
        entry, now);
    if (decision == null) {
      return;
    }
    publishDecision(finding, decision, now);
    if (decision instanceof Decision.Wait wait) {
      pending.schedule(entry, wait.until());
    } else if (decision.rule() == RemediationRule.BREAKER_OPEN) {
      pending.schedule(entry, history.breaker().map(RemediationHistory.BreakerState::closesAt)
          .orElse(now.plusSeconds(60)));
    } else {
      pending.remove(key);
      if (decision instanceof Decision.Repair) {
        perform(repairs.repair(finding, target, UUID.randomUUID().toString(), now));
      }
    }
  }

  /**
   * Mode approve: an action the gate allows waits for a person's approval (asked once, then waited for); approved,
   * it goes ahead as decided here, by the whole gate, after the click. Returns the decision to go on with, or
   * {@code null} when it was handled here (waiting, or a rejection or expiry paged).
   */
  private Decision askFirst(Finding finding, Decision decision, WaitingFindings.Waiting entry, Instant now) {
    boolean acts = decision instanceof Decision.Evict || decision instanceof Decision.Repair;
    if (!acts || !policy.config().approvalFor(finding.detectorId())) {
      return decision;
    }
    ApprovalBook.Verdict verdict = approvals.gate(finding, decision.verdict() + " " + finding.resource().key()
        + ": " + decision.why(), now);
    publishApprovals(verdict.changes());
    switch (verdict.gate()) {
      case PROCEED:
        return decision;
      case WAIT:
        publishDecision(finding, new Decision.Wait(RemediationRule.AWAITING_APPROVAL, "every rail passed; waiting "
            + "for a person's approval in Slack until " + verdict.until(), verdict.until()), now);
        pending.schedule(entry, verdict.until());
        return null;
      case REJECTED:
        pending.remove(finding.dedupKey());
        publishDecision(finding, new Decision.Page(RemediationRule.APPROVAL_REJECTED, "rejected by " + verdict.who()
            + ": chainwatch will not act; a person must"), now);
        return null;
      default:
        pending.remove(finding.dedupKey());
        publishDecision(finding, new Decision.Page(RemediationRule.APPROVAL_EXPIRED, "nobody approved in time ("
            + policy.config().approvalTimeout() + "): chainwatch did not act; a person must"), now);
        return null;
    }
  }

  /** A person's approve or reject click: answered, then the finding is decided again at once. */
  private void onClick(PersonAction click) {
    if (!click.allowed() || (click.kind() != PersonAction.Kind.APPROVE && click.kind() != PersonAction.Kind.REJECT)) {
      return;
    }
    Instant now = clock.instant();
    String key = approvals.findingKeyOf(click.approvalId()).orElse(null);
    WaitingFindings.Waiting entry = key == null ? null : pending.get(key);
    Finding unknown = key != null ? null : new Finding("remediation", new io.chainwatch.model.ResourceRef("Approval",
        null, String.valueOf(click.approvalId())), null, io.chainwatch.model.Severity.INFO, PlannedAction.NONE,
        "unknown-approval", "a click on an approval chainwatch does not know", now, Map.of());
    publishApprovals(approvals.answer(click, unknown, now));
    if (entry != null) {
      pending.schedule(entry, now);
      decide(key);
    }
  }

  private void publishApprovals(List<ApprovalChange> changes) {
    for (ApprovalChange change : changes) {
      LOG.info("Approval {} for {}: {}: {}", change.approvalId(), change.finding().dedupKey(),
          change.state().wireName(), change.detail());
      vertx.eventBus().publish(BusAddresses.REMEDIATION_APPROVALS, change, LOCAL);
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
    RepairRequest inFlight = repairs.inFlight(name).orElse(null);
    if (inFlight != null && (previous == null || previous.requestedAt().isBefore(inFlight.requestedAt()))) {
      previous = inFlight; // written, but not yet seen back through the informer
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

  private RemediationTarget targetOf(Finding finding) {
    PodSnapshot pod = view.pod(finding.resource().namespace(), finding.resource().name()).orElse(null);
    return new RemediationTarget(pod,
        view.namespace(finding.resource().namespace()).orElse(null),
        pod == null ? List.of() : view.budgetsFor(pod),
        view.nodeCount());
  }

  /** Performs a workflow's effects in order; answers come back as events of the same workflow. */
  private void perform(List<Effect> effects) {
    if (performDeferringDecisions(effects)) {
      decideAll();
    }
  }

  /** Performs every effect but deciding again; returns whether that was asked. */
  private boolean performDeferringDecisions(List<Effect> effects) {
    boolean decideWaiting = false;
    for (Effect effect : effects) {
      if (effect instanceof Effect.PublishOutcome publish) {
        publishOutcome(publish.outcome());
      } else if (effect instanceof Effect.PublishBreaker publish) {
        LOG.warn("Blast-radius breaker {}: {}", publish.change().open() ? "OPEN until "
            + publish.change().closesAt() : "closed", publish.change().reason());
        vertx.eventBus().publish(BusAddresses.REMEDIATION_BREAKER, publish.change(), LOCAL);
      } else if (effect instanceof Effect.Save) {
        writer.save();
      } else if (effect instanceof Effect.SaveIntent intent) {
        saveIntent(intent.attempt());
      } else if (effect instanceof Effect.Evict evict) {
        evict(evict.attempt());
      } else if (effect instanceof Effect.WriteRepair write) {
        writeRepair(write.attempt());
      } else if (effect instanceof Effect.DecideAt later) {
        repend(later.finding(), later.at());
      } else if (effect instanceof Effect.DecideNow again) {
        repend(again.finding(), clock.instant());
        decide(again.finding().dedupKey());
      } else if (effect instanceof Effect.DecideWaiting) {
        decideWaiting = true;
      }
    }
    return decideWaiting;
  }

  private void saveIntent(EvictionAttempt attempt) {
    writer.save().onComplete(saved -> {
      Instant now = clock.instant();
      if (saved.succeeded()) {
        perform(evictions.intentSaved(history, attempt, permit.mayWriteNow(), now));
        return;
      }
      Throwable cause = saved.cause();
      EvictionWorkflow.NotSaved why = cause instanceof StateWriter.StateChanged ? EvictionWorkflow.NotSaved.STATE_CHANGED
          : cause instanceof StateWriter.NotPermitted ? EvictionWorkflow.NotSaved.NOT_LEADER
          : EvictionWorkflow.NotSaved.FAILED;
      String message = why == EvictionWorkflow.NotSaved.FAILED ? store.where() + ": " + cause.getMessage()
          : cause.getMessage();
      perform(evictions.intentNotSaved(history, attempt, why, message, now));
    });
  }

  private void evict(EvictionAttempt attempt) {
    EvictionRecord record = attempt.record();
    LOG.info("Evicting {} (uid {}) for finding {}", record.podKey(), record.podUid(), attempt.finding().dedupKey());
    Future.fromCompletionStage(evictor.evict(record.podNamespace(), record.podName(), record.podUid()),
        context).onComplete(result -> perform(evictions.answered(history, attempt, result.result(), clock.instant())));
  }

  private void writeRepair(RepairAttempt attempt) {
    WorkerThreads.run(vertx, () -> {
      if (!permit.mayWriteNow()) {
        throw new StateWriter.NotPermitted("not the leader, or the lease is past its renew deadline");
      }
      repairer.request(attempt.node(), attempt.request());
      return null;
    }).onComplete(written -> {
      Instant at = clock.instant();
      if (written.failed()) {
        LOG.warn("Repair request for node {} not written: {}", attempt.node(), written.cause().getMessage());
        perform(repairs.notWritten(attempt, written.cause() instanceof StateWriter.NotPermitted,
            written.cause().getMessage(), at));
        return;
      }
      perform(repairs.written(attempt, at));
    });
  }

  private void repend(Finding finding, Instant at) {
    pending.put(finding, at);
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
    List<Effect> effects = new ArrayList<>(evictions.verify(history, view, now));
    effects.addAll(repairs.verify(this::reportOf, now));
    effects.addAll(breaker.tick(history, now));
    List<ApprovalChange> expired = approvals.expire(now);
    publishApprovals(expired);
    expired.forEach(change -> {
      WaitingFindings.Waiting waiting = pending.get(change.finding().dedupKey());
      if (waiting != null) {
        pending.schedule(waiting, now); // decided below: the expiry pages
      }
    });
    boolean settled = performDeferringDecisions(effects);
    if (history.breaker().isPresent() && !now.isBefore(nextResetPoll)) {
      nextResetPoll = now.plus(RESET_POLL);
      WorkerThreads.run(vertx, store::load).onSuccess(stored -> {
        if (stored.resetRequested() && history.breaker().isPresent()) {
          history.mergeFrom(stored.history()); // whatever else changed there is kept, not overwritten
          writer.readAt(stored.resourceVersion());
          perform(breaker.reset(history, clock.instant()));
        }
      });
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
    return view.pod(record.podNamespace(), record.podName())
        .map(pod -> record.podUid().equals(pod.uid())).orElse(false);
  }

  private void decideDue(Instant now) {
    for (WaitingFindings.Waiting due : pending.due(now)) {
      if (pending.stillDue(due, now)) { // after the decisions before it
        decide(due.key());
      }
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
        new RemediationDecision(finding, decision, policy.config().dryRunFor(finding.detectorId()), now), LOCAL);
  }

  private void publishOutcome(RemediationOutcome outcome) {
    boolean bad = outcome.result() == Result.FAILED || outcome.result() == Result.NOT_HELPED;
    String line = "Remediation of " + outcome.finding().dedupKey() + ": " + outcome.result().wireName() + ": "
        + outcome.detail();
    if (bad) {
      LOG.warn(line);
    } else {
      LOG.info(line);
    }
    vertx.eventBus().publish(BusAddresses.REMEDIATION_OUTCOMES, outcome, LOCAL);
  }
}
