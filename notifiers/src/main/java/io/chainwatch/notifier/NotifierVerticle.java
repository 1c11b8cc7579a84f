package io.chainwatch.notifier;

import io.chainwatch.bus.BlockingWork;
import io.chainwatch.bus.BusAddresses;
import io.chainwatch.config.NotifiersConfig;
import io.chainwatch.config.Silence;
import io.chainwatch.model.ApprovalChange;
import io.chainwatch.model.BreakerChange;
import io.chainwatch.model.BusMessage;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingCleared;
import io.chainwatch.model.Incident;
import io.chainwatch.model.IncidentChange;
import io.chainwatch.model.PersonAction;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.RemediationDecision;
import io.chainwatch.model.RemediationOutcome;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.notifier.event.KubernetesEventNotifier;
import io.chainwatch.notifier.incident.DetectorTexts;
import io.chainwatch.notifier.incident.IncidentTracker;
import io.chainwatch.notifier.kafka.CloudEventMapper;
import io.chainwatch.notifier.kafka.DigestPages;
import io.chainwatch.notifier.kafka.KafkaNotifier;
import io.chainwatch.notifier.route.IncidentRouter;
import io.chainwatch.notifier.route.Route;
import io.chainwatch.notifier.route.RoutingFacts;
import io.chainwatch.notifier.slack.ActionBlocks;
import io.chainwatch.notifier.slack.SlackNotifier;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Between the bus and people: feeds every finding, decision, outcome and breaker change to the incident tracker,
 * audits each record and each incident change to Kafka, sends what should reach a person to the pages topic and Slack,
 * and writes Kubernetes Events. Channels that are not configured are simply absent. Every channel only queues here;
 * nothing on this event loop waits for a network.
 */
public final class NotifierVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(NotifierVerticle.class);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  private static final Duration TICK = Duration.ofSeconds(5);
  static final String SPOOL_DETECTOR = "kafka-spool";

  private final NotifiersConfig config;
  private final IncidentTracker tracker;
  private final CloudEventMapper mapper;
  private final SilenceView silences;
  private final KafkaNotifier kafka;
  private final SlackNotifier slack;
  private final KubernetesEventNotifier events;
  /** PagerDuty, Opsgenie: each gets every incident change with its route and decides what it sends. */
  private final List<java.util.function.BiConsumer<IncidentChange, Route>> pagers;
  private final IncidentRouter router;
  private final RoutingFacts routingFacts;
  private final Clock clock;
  private final IncidentStore store;
  private final Set<String> malformedSilences = new HashSet<>();
  private final java.util.function.BooleanSupplier leading;
  private boolean dirty;
  /**
   * Saving thousands of incidents (a storm) takes a while: saves are spaced so that they take at most 1/50 of a core
   * (at least one tick apart), and never overlap. A restart loses at most the changes since the last save.
   */
  private static final long SAVE_COST_FACTOR = 50;
  private boolean saving;
  private long lastSaveStarted = System.nanoTime() - Duration.ofMinutes(1).toNanos();
  private long lastSaveNanos;
  private volatile int unresolved;
  private Finding spoolAlarm;
  /** Incidents this replica has delivered something of (or continued from its saved state). */
  private final java.util.Set<String> announced = new java.util.HashSet<>();
  private boolean wasLeading;
  private boolean buttons;
  /** Approvals by incident id, latest state of each (the event loop's). */
  private final Map<String, java.util.LinkedHashMap<String, ApprovalChange>> approvals = new java.util.HashMap<>();
  /** What the buttons show, per incident: written on the event loop, read on Slack's thread. */
  private final Map<String, PersonView> personViews = new java.util.concurrent.ConcurrentHashMap<>();
  private final FollowerAuditBuffer followerAudit;
  /** A storm's digest reaches the pages topic at most once per interval (the audit topic gets every rewrite). */
  private final DigestPages digestPages = new DigestPages(DigestPages.INTERVAL);
  private boolean digestTimerSet;
  private Finding deliveryAlarm;
  private long droppedOrRefusedSeen;
  private Instant lastDropOrRefusal;
  /** A delivery alarm resolves after this long without another dropped or refused record. */
  static final java.time.Duration DELIVERY_ALARM_QUIET = java.time.Duration.ofHours(1);

  /**
   * @param kafka {@code null} when Kafka is off
   * @param slack {@code null} when Slack is off
   * @param events {@code null} when Events are off
   * @param leading whether this replica may notify now (only the leader does; followers keep their incidents warm)
   * @param failoverGap the longest a dead leader goes unnoticed (lease duration plus retry period): a follower keeps
   *     the audit records of this long and sends them when it takes over
   */
  public NotifierVerticle(NotifiersConfig config, String cluster, DetectorTexts texts, SilenceView silences,
      KafkaNotifier kafka,
      SlackNotifier slack, KubernetesEventNotifier events, Clock clock, java.util.function.BooleanSupplier leading,
      java.time.Duration failoverGap) {
    this(config, cluster, texts, silences, kafka, slack, events, List.of(), clock, leading, failoverGap);
  }

  /** @param pagers the pager notifiers that are on (PagerDuty, Opsgenie), each fed every incident change */
  public NotifierVerticle(NotifiersConfig config, String cluster, DetectorTexts texts, SilenceView silences,
      KafkaNotifier kafka, SlackNotifier slack, KubernetesEventNotifier events,
      List<java.util.function.Consumer<IncidentChange>> pagers, Clock clock,
      java.util.function.BooleanSupplier leading, java.time.Duration failoverGap) {
    this(config, cluster, texts, silences, kafka, slack, events,
        pagers.stream().<java.util.function.BiConsumer<IncidentChange, Route>>map(p -> (change, route) ->
            p.accept(change)).toList(),
        new IncidentRouter(List.of(), new Route(Route.DEFAULT, config.slack().channel(), "", true, List.of())),
        RoutingFacts.none(), clock, leading, failoverGap);
  }

  /**
   * @param pagers the pager notifiers that are on (PagerDuty, Opsgenie), each fed every incident change and its route
   * @param router where each incident goes (Slack channel, PagerDuty key, Opsgenie responders)
   * @param routingFacts namespaces' labels and nodes' pools, for the router
   */
  public NotifierVerticle(NotifiersConfig config, String cluster, DetectorTexts texts, SilenceView silences,
      KafkaNotifier kafka, SlackNotifier slack, KubernetesEventNotifier events,
      List<java.util.function.BiConsumer<IncidentChange, Route>> pagers, IncidentRouter router,
      RoutingFacts routingFacts, Clock clock, java.util.function.BooleanSupplier leading,
      java.time.Duration failoverGap) {
    this(config, cluster, texts, silences, kafka, slack, events, pagers, router, routingFacts,
        io.chainwatch.notifier.kafka.FleetFacts.NONE, clock, leading, failoverGap);
  }

  /**
   * @param nodeFacts what each node is (pool, OS image, kernel, kubelet, Cilium version), for the fleet facts every
   *     record carries
   */
  public NotifierVerticle(NotifiersConfig config, String cluster, DetectorTexts texts, SilenceView silences,
      KafkaNotifier kafka, SlackNotifier slack, KubernetesEventNotifier events,
      List<java.util.function.BiConsumer<IncidentChange, Route>> pagers, IncidentRouter router,
      RoutingFacts routingFacts, io.chainwatch.notifier.kafka.FleetFacts.Source nodeFacts, Clock clock,
      java.util.function.BooleanSupplier leading, java.time.Duration failoverGap) {
    this.pagers = List.copyOf(pagers);
    this.router = Objects.requireNonNull(router, "router");
    this.routingFacts = Objects.requireNonNull(routingFacts, "routingFacts");
    this.leading = Objects.requireNonNull(leading, "leading");
    this.followerAudit = new FollowerAuditBuffer(failoverGap, 20_000, 8L * 1024 * 1024); // 16 MiB of heap at most
    this.config = Objects.requireNonNull(config, "config");
    this.tracker = new IncidentTracker(config.incidents(), cluster, texts);
    this.mapper = new CloudEventMapper(cluster, texts, nodeFacts);
    this.silences = Objects.requireNonNull(silences, "silences");
    this.kafka = kafka;
    this.slack = slack;
    this.events = events;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.store = new IncidentStore(config.stateDir().resolve("incidents.json"));
  }

  @Override
  public Future<?> start() {
    return BlockingWork.onWorker(vertx, store::load).recover(failure -> {
      LOG.warn("Open incidents not restored ({}); they continue as new incidents", failure.getMessage());
      return Future.succeededFuture(List.of());
    }).onSuccess(saved -> {
      tracker.restore(saved, clock.instant());
      saved.forEach(incident -> announced.add(incident.id()));
      wasLeading = leading.getAsBoolean();
      if (!saved.isEmpty()) {
        LOG.info("Continuing {} incidents from {}", saved.size(), config.stateDir().resolve("incidents.json"));
      }
      var bus = vertx.eventBus();
      bus.<Finding>localConsumer(BusAddresses.FINDINGS, m -> onFinding(m.body()));
      bus.<FindingCleared>localConsumer(BusAddresses.FINDINGS_CLEARED, m -> handle(m.body(),
          tracker.incidentIdFor(m.body().finding()), tracker.onCleared(m.body(), clock.instant())));
      bus.<RemediationDecision>localConsumer(BusAddresses.REMEDIATION_DECISIONS, m -> handle(m.body(),
          tracker.incidentIdFor(m.body().finding()), tracker.onDecision(m.body(), clock.instant())));
      bus.<RemediationOutcome>localConsumer(BusAddresses.REMEDIATION_OUTCOMES, m -> handle(m.body(),
          tracker.incidentIdFor(m.body().finding()), tracker.onOutcome(m.body(), clock.instant())));
      bus.<BreakerChange>localConsumer(BusAddresses.REMEDIATION_BREAKER, m -> {
        List<IncidentChange> changes = tracker.onBreaker(m.body(), clock.instant());
        handle(m.body(), changes.isEmpty() ? tracker.breakerIncidentId(m.body().at())
            : changes.get(0).incident().id(), changes);
      });
      bus.<PersonAction>localConsumer(BusAddresses.PERSON_ACTIONS, m -> onPersonAction(m.body()));
      bus.<ApprovalChange>localConsumer(BusAddresses.REMEDIATION_APPROVALS, m -> onApproval(m.body()));
      vertx.setPeriodic(TICK.toMillis(), id -> tick());
    }).mapEmpty();
  }

  /**
   * Puts buttons on Slack root messages (Socket Mode is on): who did what, Acknowledge, Silence, Approve / Reject.
   * Call before deploying.
   */
  public void withSlackButtons() {
    if (slack != null) {
      buttons = true;
      slack.buttons(incident -> {
        PersonView view = personViews.get(incident.id());
        return ActionBlocks.blocks(incident, view == null ? null : view.acknowledgedBy(),
            view == null ? null : view.silencedBy(), view == null ? null : view.silencedUntil(),
            view == null ? List.of() : view.approvals());
      });
    }
  }

  /** What people did to an incident and the approvals it carries, for the buttons (read on Slack's thread). */
  private record PersonView(String acknowledgedBy, String silencedBy, Instant silencedUntil,
      List<ApprovalChange> approvals) {}

  /** A click: audited (refused ones too); acknowledge and silence are the incident's, approvals remediation's. */
  private void onPersonAction(PersonAction action) {
    if (!leading.getAsBoolean()) {
      return; // only the leader is connected; a click that reaches a follower has nothing to act on here
    }
    Instant now = clock.instant();
    if (kafka != null) {
      mapper.audit(action, action.incidentId()).ifPresent(event ->
          publish(config.kafka().auditTopic(), action.incidentId(), event));
    }
    if (!action.allowed()) {
      return;
    }
    Optional<IncidentChange> change = switch (action.kind()) {
      case ACKNOWLEDGE -> tracker.acknowledge(action.incidentId(), action.mention(), now);
      case SILENCE -> tracker.silence(action.incidentId(), Duration.ofHours(action.silenceHours()), action.mention(),
          now);
      default -> Optional.empty();
    };
    change.ifPresent(this::deliver);
  }

  /** Mode approve: a question asked or answered: audited, noted in the incident's thread, buttons updated. */
  private void onApproval(ApprovalChange approval) {
    String incidentId = tracker.incidentIdFor(approval.finding());
    if (!leading.getAsBoolean()) {
      if (kafka != null) {
        mapper.audit(approval, incidentId).ifPresent(event -> followerAudit.add(clock.instant(), incidentId, event));
      }
      return;
    }
    if (kafka != null) {
      mapper.audit(approval, incidentId).ifPresent(event ->
          publish(config.kafka().auditTopic(), incidentId, event));
    }
    approvals.computeIfAbsent(incidentId, id -> new java.util.LinkedHashMap<>());
    var forIncident = approvals.get(incidentId);
    if (approval.state() != ApprovalChange.State.IGNORED) {
      forIncident.put(approval.approvalId(), approval);
    }
    while (forIncident.size() > 20) {
      forIncident.remove(forIncident.keySet().iterator().next());
    }
    String text = switch (approval.state()) {
      case ASKED -> "approval needed: " + approval.action() + " (expires " + approval.expiresAt() + ")";
      case IGNORED -> "click by " + approval.by() + ": " + approval.detail();
      default -> "approval " + approval.state().wireName() + ": " + approval.detail();
    };
    tracker.note(incidentId, text, clock.instant()).ifPresent(this::deliver);
  }

  private void refreshPersonView(String incidentId) {
    if (!buttons) {
      return;
    }
    IncidentTracker.PersonState person = tracker.personState(incidentId);
    var forIncident = approvals.get(incidentId);
    personViews.put(incidentId, new PersonView(person.acknowledgedBy(), person.silencedBy(), person.silencedUntil(),
        forIncident == null ? List.of() : List.copyOf(forIncident.values())));
  }

  private void onFinding(Finding finding) {
    List<IncidentChange> changes = tracker.onFinding(finding, silenced(finding), clock.instant());
    handle(finding, changes.isEmpty() ? tracker.incidentIdFor(finding) : changes.get(0).incident().id(), changes);
  }

  private void handle(BusMessage record, String incidentId, List<IncidentChange> changes) {
    if (!leading.getAsBoolean()) {
      if (kafka != null) {
        mapper.audit(record, incidentId).ifPresent(event -> followerAudit.add(clock.instant(), incidentId, event));
      }
      changes.forEach(change -> vertx.eventBus().publish(BusAddresses.INCIDENTS, change, LOCAL));
      return;
    }
    if (kafka != null) {
      mapper.audit(record, incidentId).ifPresent(event ->
          publish(config.kafka().auditTopic(), incidentId, event));
    }
    if (events != null) {
      events.deliver(record);
    }
    changes.forEach(this::deliver);
  }

  private void deliver(IncidentChange change) {
    dirty = true;
    unresolved = tracker.unresolvedCount();
    refreshPersonView(change.incident().id());
    announced.add(change.incident().id());
    vertx.eventBus().publish(BusAddresses.INCIDENTS, change, LOCAL);
    String key = change.incident().id();
    if (kafka != null) {
      publish(config.kafka().auditTopic(), key, mapper.audit(change, key).orElseThrow());
      if (change.pages()) {
        Instant now = clock.instant();
        if (change.kind() == IncidentChange.Kind.DIGEST) {
          digestPages.offer(change, now).ifPresentOrElse(this::page, this::pageDigestsWhenDue);
        } else {
          digestPages.release(key, now).ifPresent(this::page); // one incident's pages stay in order
          page(change);
        }
      }
    }
    Route route = router.routeFor(change.incident(), routingFacts);
    if (slack != null) {
      slack.deliver(change, route.slackChannel());
    }
    pagers.forEach(pager -> pager.accept(change, route));
  }

  private void page(IncidentChange change) {
    publish(config.kafka().pagesTopic(), change.incident().id(), mapper.page(change));
  }

  /** Sends the storm digests waiting for the pages topic once their interval has passed. */
  private void pageDigestsWhenDue() {
    if (digestTimerSet) {
      return;
    }
    digestPages.nextDue().ifPresent(due -> {
      digestTimerSet = true;
      long millis = Math.max(1, Duration.between(clock.instant(), due).toMillis());
      vertx.setTimer(millis, id -> {
        digestTimerSet = false;
        digestPages.due(clock.instant()).forEach(this::page);
        pageDigestsWhenDue();
      });
    });
  }

  @Override
  public Future<?> stop() {
    if (kafka != null) {
      digestPages.releaseAll().forEach(this::page); // owed to the pages topic: queued before Kafka is closed
    }
    if (!dirty) {
      return Future.succeededFuture();
    }
    // the changes since the last tick's save (up to a tick, more when a storm spaces the saves): without them a
    // restart would announce again what was already announced, or reopen what was resolved. Ordered after a save
    // still running (the context's blocking work runs in order); the worker pool is still open while verticles stop.
    List<IncidentTracker.SavedIncident> snapshot = tracker.export();
    dirty = false;
    return BlockingWork.onWorker(vertx, () -> {
      store.save(snapshot);
      return null;
    }).recover(failure -> {
      LOG.warn("Incidents not saved on stopping ({}); a restart continues from the last save", failure.toString());
      return Future.succeededFuture();
    });
  }

  private void tick() {
    Instant now = clock.instant();
    List<IncidentChange> changes = tracker.tick(now);
    boolean leadingNow = leading.getAsBoolean();
    if (leadingNow && !wasLeading) {
      replayFailoverGap(now);
      announceOpenedWhileFollowing(now);
    }
    wasLeading = leadingNow;
    if (leadingNow) {
      changes.forEach(this::deliver);
    }
    watchSpool(now);
    // pruned once they outgrow what is open by 2,000 (as announced below), not at every tick past a fixed size: a storm
    // with more than 2,000 open incidents and buttons on made each tick snapshot every one of them
    if (approvals.size() + personViews.size() > 2 * tracker.unresolvedCount() + 2_000) {
      java.util.Set<String> open = new java.util.HashSet<>();
      tracker.unresolved().forEach(incident -> open.add(incident.id()));
      approvals.keySet().retainAll(open);
      personViews.keySet().retainAll(open);
    }
    if (announced.size() > 2 * tracker.tracked() + 1_000) {
      announced.removeIf(id -> !tracker.tracks(id)); // forgotten incidents are never announced again
    }
    unresolved = tracker.unresolvedCount();
    long sinceSave = System.nanoTime() - lastSaveStarted;
    if (dirty && !saving && sinceSave >= SAVE_COST_FACTOR * lastSaveNanos) {
      dirty = false;
      saving = true;
      lastSaveStarted = System.nanoTime();
      List<IncidentTracker.SavedIncident> snapshot = tracker.export();
      BlockingWork.onWorker(vertx, () -> {
        long start = System.nanoTime();
        store.save(snapshot);
        return System.nanoTime() - start;
      }).onComplete(saved -> {
        saving = false;
        if (saved.succeeded()) {
          lastSaveNanos = saved.result();
        } else {
          dirty = true; // tried again at a later tick
          LOG.debug("Incidents not saved: {}", saved.cause().getMessage());
        }
      });
    }
  }

  /** The failover gap's audit records: what this replica saw in the last lease duration, sent by nobody if the
   * previous leader was already gone (marked replayed: a consumer may see some twice). */
  private void replayFailoverGap(Instant now) {
    long pushedOut = followerAudit.overflowed();
    List<FollowerAuditBuffer.Held> gap = followerAudit.takeOver(now);
    if (kafka == null || gap.isEmpty()) {
      return;
    }
    gap.forEach(held -> publish(config.kafka().auditTopic(), held.key(), held.event()));
    LOG.info("Took over: sent the {} audit records of the failover gap{}", gap.size(), pushedOut == 0 ? ""
        : " (" + pushedOut + " older ones of a storm were not kept)");
  }

  /**
   * The failover gap: incidents this replica opened while it followed were delivered by nobody if the leader was
   * already gone. On taking over, every unresolved incident it never delivered is delivered now, as opened (it pages
   * unless silenced). Incidents the previous leader announced get a new root too (incident state is per replica).
   */
  private void announceOpenedWhileFollowing(Instant now) {
    for (Incident incident : tracker.unresolved()) {
      if (announced.contains(incident.id())) {
        continue;
      }
      IncidentChange opened = new IncidentChange(incident, IncidentChange.Kind.OPENED, "taken over by this replica: "
          + "opened while it followed (if the previous leader was gone, nobody announced it)", !incident.silenced(),
          false, List.of(), now);
      deliver(opened); // audit, pages topic, Slack: as any change
    }
  }

  /** A spool nearly full means the broker has been away long: a person should know before records are dropped. */
  private void watchSpool(Instant now) {
    if (kafka == null) {
      return;
    }
    watchDelivery(now);
    if (kafka.spoolNearlyFull() && spoolAlarm == null) {
      spoolAlarm = new Finding(SPOOL_DETECTOR, new ResourceRef("Component", null, "kafka-spool"), null,
          Severity.CRITICAL, PlannedAction.PAGE, "nearly-full", "The Kafka spool holds " + kafka.spoolBytes()
              + " bytes, over 80 % of kafka.spoolMaxMegabytes: the broker has not acknowledged records for a long "
              + "time; when the spool is full, audit records are dropped", now,
          Map.of("spoolBytes", kafka.spoolBytes(), "records", kafka.depth(), "dropped", kafka.dropped(),
              io.chainwatch.model.FindingFacts.ACTION_REASON, "check the Kafka brokers and chainwatch's network path to them"));
      onFinding(spoolAlarm);
    } else if (!kafka.spoolNearlyFull() && spoolAlarm != null) {
      FindingCleared cleared = new FindingCleared(spoolAlarm, now);
      spoolAlarm = null;
      handle(cleared, tracker.incidentIdFor(cleared.finding()), tracker.onCleared(cleared, now));
    }
  }

  /**
   * Every audit record lost (spool full or not writable) or refused by Kafka for good (moved to the dead-letter file)
   * pages: an audit log with gaps must not look complete. The alarm resolves after an hour without another.
   */
  private void watchDelivery(Instant now) {
    long count = kafka.dropped() + kafka.deadLettered();
    // the first loss pages at once; while losses go on, the incident is updated at most once a minute
    boolean due = deliveryAlarm == null || now.isAfter(lastDropOrRefusal.plusSeconds(60));
    if (count > droppedOrRefusedSeen && due) {
      droppedOrRefusedSeen = count;
      lastDropOrRefusal = now;
      deliveryAlarm = new Finding(SPOOL_DETECTOR, new ResourceRef("Component", null, "kafka-delivery"), null,
          Severity.CRITICAL, PlannedAction.PAGE, "records-lost", kafka.dropped() + " audit record(s) dropped (spool "
              + "full or not writable) and " + kafka.deadLettered() + " refused by Kafka for good (moved to the "
              + "dead-letter file next to the spool" + (kafka.lastDeadLetter() == null ? ""
                  : "; last: " + kafka.lastDeadLetter()) + "): the audit log has gaps", now,
          Map.of("dropped", kafka.dropped(), "deadLettered", kafka.deadLettered(),
              io.chainwatch.model.FindingFacts.ACTION_REASON, "check the spool's disk, the record size limits and the topics' ACLs"));
      onFinding(deliveryAlarm);
    } else if (deliveryAlarm != null && now.isAfter(lastDropOrRefusal.plus(DELIVERY_ALARM_QUIET))) {
      FindingCleared cleared = new FindingCleared(deliveryAlarm, now);
      deliveryAlarm = null;
      handle(cleared, tracker.incidentIdFor(cleared.finding()), tracker.onCleared(cleared, now));
    }
  }

  /** Whether a configured silence or a silence annotation covers the finding's node, namespace or detector. */
  private boolean silenced(Finding finding) {
    Instant now = clock.instant();
    String namespace = finding.resource().namespace();
    for (Silence silence : config.incidents().silences()) {
      boolean matches = switch (silence.kind()) {
        case "node" -> silence.name().equals(finding.node());
        case "namespace" -> silence.name().equals(namespace);
        case "detector" -> silence.name().equals(finding.detectorId());
        default -> false;
      };
      if (matches && now.isBefore(silence.until())) {
        return true;
      }
    }
    return (finding.node() != null && until("node " + finding.node(), silences.nodeSilenceUntil(finding.node()), now))
        || (namespace != null && until("namespace " + namespace, silences.namespaceSilenceUntil(namespace), now));
  }

  private boolean until(String where, Optional<String> annotation, Instant now) {
    if (annotation.isEmpty()) {
      return false;
    }
    try {
      return now.isBefore(Instant.parse(annotation.get().trim()));
    } catch (DateTimeParseException e) {
      if (malformedSilences.add(where + "=" + annotation.get())) {
        LOG.warn("{} has chainwatch.io/silence-until \"{}\", which is not an RFC 3339 time such as "
            + "2026-12-01T00:00:00Z: not silenced", where, annotation.get());
      }
      return false;
    }
  }

  /** Incidents not resolved as of the last tick (read from any thread; at most one tick old). */
  public int unresolvedIncidents() {
    return unresolved;
  }

  /** Sends a CloudEvent with its fleet facts also as Kafka headers. */
  private void publish(String topic, String key, io.vertx.core.json.JsonObject event) {
    kafka.send(topic, key, io.chainwatch.notifier.kafka.JsonText.encode(event),
        io.chainwatch.notifier.kafka.CloudEventMapper.headers(event));
  }
}
