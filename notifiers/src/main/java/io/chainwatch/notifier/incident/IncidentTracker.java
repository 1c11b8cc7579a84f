package io.chainwatch.notifier.incident;

import io.chainwatch.config.NotifiersConfig;
import io.chainwatch.model.BreakerChange;
import io.chainwatch.model.Decision;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingCleared;
import io.chainwatch.model.Incident;
import io.chainwatch.model.IncidentChange;
import io.chainwatch.model.IncidentChange.Kind;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.RemediationDecision;
import io.chainwatch.model.RemediationOutcome;
import io.chainwatch.model.Severity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Groups findings into incidents and follows each from open through acting or escalated to resolved, telling
 * notifiers what changed. One incident per root cause: a finding about a node, or a pod finding whose evidence names
 * a node-level cause (the CNI-chain race on its node), groups by node; any other pod finding is its own incident. A
 * finding back within the flap window reopens its incident instead of paging again; an incident resolves when its
 * findings stayed away for the quiet period; an unresolved critical incident is re-notified; when too many incidents
 * open within the storm window, the rest are folded into one digest. Silenced incidents are tracked and audited but
 * do not page. Pure: the caller passes time and silences; not thread-safe (one event loop owns it).
 */
public final class IncidentTracker {
  /** The root key of the blast-radius breaker's incident. */
  public static final String BREAKER_ROOT = "remediation:breaker";
  private static final int MAX_CAUSE_LINES = 12;
  private static final int MAX_DIGEST_LINES = 50;

  private final NotifiersConfig.Incidents config;
  private final DetectorTexts texts;
  private final String cluster;
  private final Map<String, Entry> byRoot = new LinkedHashMap<>();
  private final Map<String, String> rootByFinding = new HashMap<>();
  /** The same entries by incident id: clicks, notes and the buttons find their incident without a scan. */
  private final Map<String, Entry> byIncidentId = new HashMap<>();
  private final Deque<Instant> openings = new ArrayDeque<>();
  /**
   * When each incident next needs the tick (resolve after its quiet period, end a silence, re-notify, forget after the
   * flap window), earliest first: a tick looks at the incidents that are due, not at all of them (a storm leaves tens
   * of thousands). An entry can be queued more than once; a stale or early item is looked at and queued again.
   */
  private final PriorityQueue<Due> deadlines = new PriorityQueue<>(Comparator.comparing(Due::at));
  /** Incidents not resolved, counted as their states change (read for the metric at every tick). */
  private int unresolvedCount;
  private long entries;
  private Entry storm;

  private record Due(Instant at, Entry entry) {}

  public IncidentTracker(NotifiersConfig.Incidents config, String cluster, DetectorTexts texts) {
    this.config = Objects.requireNonNull(config, "config");
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.texts = Objects.requireNonNull(texts, "texts");
  }

  /** An incident as it is tracked; exported and restored so a restart continues the same incidents. */
  public static final class Entry {
    String id;
    String rootKey;
    String detectorId;
    Severity severity = Severity.INFO;
    Incident.State state = Incident.State.OPEN;
    String node;
    final Map<String, Finding> open = new LinkedHashMap<>();
    final Set<String> subjects = new LinkedHashSet<>();
    String summary = "";
    List<String> cause = List.of();
    String action = "";
    String needsPerson;
    boolean silenced;
    boolean digested;
    Instant openedAt;
    Instant updatedAt;
    Instant resolvedAt;
    Instant quietSince;
    Instant lastNotifiedAt;
    /** The earliest deadline queued for it, {@code null} when none is. */
    Instant scheduledAt;
    /** Its order of creation: a tick reports due incidents in that order. */
    long order;
    final List<String> digestLines = new ArrayList<>();
    /** Incidents folded into this storm digest (its lines stop at MAX_DIGEST_LINES; the count does not). */
    int folded;
    /** A person's acknowledgement (a Slack mention), {@code null} when none: no more re-notification. */
    String acknowledgedBy;
    /** A person's silence from the message, {@code null} when none. */
    String silencedBy;
    Instant silencedUntil;
    /** Severity and state when silenced: escalating to critical beyond them ends the silence early. */
    Severity silencedSeverity;
    boolean silencedEscalated;
  }

  /**
   * What people did to an incident from its message, kept across restarts.
   *
   * @param acknowledgedBy who acknowledged it, {@code null} when nobody did
   * @param silencedBy who silenced it, {@code null} when nobody did (or the silence ended)
   * @param silencedUntil until when
   * @param silencedSeverity its severity when silenced
   * @param silencedEscalated whether it was escalated when silenced
   */
  public record PersonState(String acknowledgedBy, String silencedBy, Instant silencedUntil,
      Severity silencedSeverity, boolean silencedEscalated) {
    static final PersonState NONE = new PersonState(null, null, null, null, false);
  }

  /** The root cause a finding belongs to. */
  public static String rootKeyOf(Finding finding) {
    String group = finding.facts().incidentGroup();
    if (group != null && finding.node() != null) {
      return group + ":node/" + finding.node(); // detectors that see one cause from different angles share it
    }
    if ("Node".equals(finding.resource().kind())) {
      return finding.detectorId() + ":node/" + finding.resource().name();
    }
    if (finding.node() != null && finding.facts().chainRace()) {
      return finding.detectorId() + ":node/" + finding.node();
    }
    return finding.detectorId() + ":" + finding.resource().key();
  }

  /** The id of the incident a finding belongs to (the Kafka key of its records), whether or not it exists yet. */
  public String incidentIdFor(Finding finding) {
    String root = rootByFinding.getOrDefault(finding.dedupKey(), rootKeyOf(finding));
    Entry entry = byRoot.get(root);
    return entry != null ? entry.id : idOf(root, finding.observedAt());
  }

  /** The id of the breaker's current incident. */
  public String breakerIncidentId(Instant at) {
    Entry entry = byRoot.get(BREAKER_ROOT);
    return entry != null ? entry.id : idOf(BREAKER_ROOT, at);
  }

  /**
   * A finding opened or changed.
   *
   * @param silenced whether a silence covers its node, namespace or detector now
   */
  public List<IncidentChange> onFinding(Finding finding, boolean silenced, Instant now) {
    String root = rootKeyOf(finding);
    Entry entry = byRoot.get(root);
    List<IncidentChange> changes = new ArrayList<>();
    Kind kind;
    if (entry == null || (entry.state == Incident.State.RESOLVED
        && now.isAfter(entry.resolvedAt.plus(config.flapWindow())))) {
      entry = newEntry(root, finding.detectorId(), now);
      kind = Kind.OPENED;
    } else if (entry.state == Incident.State.RESOLVED) {
      setState(entry, Incident.State.OPEN);
      entry.resolvedAt = null;
      entry.needsPerson = null;
      kind = Kind.REOPENED;
    } else {
      kind = Kind.UPDATED;
    }
    rootByFinding.put(finding.dedupKey(), root);
    entry.open.put(finding.dedupKey(), finding);
    entry.subjects.add(finding.resource().key());
    entry.node = finding.node() != null ? finding.node() : entry.node;
    entry.severity = entry.open.values().stream().map(Finding::severity).min(Enum::compareTo).orElseThrow();
    entry.summary = finding.summary();
    entry.cause = causeLines(finding);
    entry.quietSince = null;
    entry.silenced = silenced;
    entry.updatedAt = now;
    IncidentChange silenceEnded = endSilenceIfWorse(entry, finding.action() == PlannedAction.PAGE, now);
    if (silenceEnded != null) {
      changes.add(silenceEnded);
    }
    String reason = finding.facts().actionReason();
    if (finding.action() == PlannedAction.RESTART) {
      entry.action = "chainwatch restarts the affected pods through their controllers"
          + (reason == null ? "" : ": " + reason);
    } else if (finding.action() == PlannedAction.REPAIR) {
      entry.action = "chainwatch asks the node's probe to write rp_filter back" + (reason == null ? "" : ": " + reason);
    } else if (finding.action() == PlannedAction.PAGE) {
      entry.action = "chainwatch will not act" + (reason == null ? "" : ": " + reason);
    } else {
      entry.action = "advice only; nothing to restart";
    }
    if (kind == Kind.OPENED) {
      changes.add(opened(entry, now));
    } else {
      changes.add(change(entry, kind, kind == Kind.REOPENED
          ? "reopened: " + finding.resource().key() + " is back within the flap window" : finding.summary(), now));
    }
    if (finding.action() == PlannedAction.PAGE && entry.state != Incident.State.ESCALATED) {
      changes.add(escalate(entry, reason == null ? "the detector asks for a person" : String.valueOf(reason), now));
    }
    schedule(entry);
    return changes;
  }

  /** A finding stopped holding: its incident resolves once all its findings stayed away for the quiet period. */
  public List<IncidentChange> onCleared(FindingCleared cleared, Instant now) {
    String root = rootByFinding.remove(cleared.finding().dedupKey());
    Entry entry = root == null ? null : byRoot.get(root);
    if (entry == null || entry.open.remove(cleared.finding().dedupKey()) == null) {
      return List.of();
    }
    entry.updatedAt = now;
    if (entry.open.isEmpty()) {
      entry.quietSince = now;
      schedule(entry);
    }
    return List.of(change(entry, Kind.UPDATED, cleared.finding().resource().key() + " no longer holds"
        + (entry.open.isEmpty() ? "; resolving after " + config.quietPeriod() + " without findings" : ""), now));
  }

  /** A remediation decision: evictions make the incident acting, pages escalate it, waits are noted. */
  public List<IncidentChange> onDecision(RemediationDecision decided, Instant now) {
    Entry entry = entryOf(decided.finding());
    Decision decision = decided.decision();
    if (entry == null || decision instanceof Decision.Skip) {
      return List.of();
    }
    entry.updatedAt = now;
    String pod = decided.finding().resource().key();
    if (decision instanceof Decision.Evict || decision instanceof Decision.Repair) {
      String verb = decision instanceof Decision.Repair ? (decided.dryRun() ? "dry-run, would repair " : "repairing ")
          : (decided.dryRun() ? "dry-run, would evict " : "evicting ");
      String text = verb + pod + ": " + decision.why();
      if (entry.state == Incident.State.OPEN) {
        setState(entry, Incident.State.ACTING);
      }
      entry.action = text;
      return List.of(change(entry, Kind.ACTING, text, now));
    }
    if (decision instanceof Decision.Page) {
      List<IncidentChange> escalated = List.of(escalate(entry, pod + ": " + decision.why() + " ("
          + decision.rule().wireName() + ")", now));
      schedule(entry);
      return escalated;
    }
    // a wait is neither an action nor an outcome: audited with the decision, not worth a message to a person
    return List.of();
  }

  /** What an eviction led to: noted in the thread; outcomes that need a person escalate. */
  public List<IncidentChange> onOutcome(RemediationOutcome outcome, Instant now) {
    Entry entry = entryOf(outcome.finding());
    if (entry == null) {
      return List.of();
    }
    entry.updatedAt = now;
    String text = outcome.result().wireName() + ": " + outcome.detail();
    if (outcome.needsPerson()) {
      List<IncidentChange> escalated = List.of(escalate(entry, text, now));
      schedule(entry);
      return escalated;
    }
    if (outcome.result() == RemediationOutcome.Result.VERIFIED) {
      entry.action = (outcome.finding().action() == PlannedAction.REPAIR ? "repaired " : "restarted ")
          + outcome.finding().resource().key() + "; " + outcome.detail();
    }
    return List.of(change(entry, Kind.REPLY, text, now));
  }

  /** The blast-radius breaker: its own incident, critical and escalated while open, resolved when it closes. */
  public List<IncidentChange> onBreaker(BreakerChange breaker, Instant now) {
    Entry entry = byRoot.get(BREAKER_ROOT);
    if (breaker.open()) {
      if (entry == null || entry.state == Incident.State.RESOLVED) {
        entry = newEntry(BREAKER_ROOT, "remediation", now);
      }
      entry.severity = Severity.CRITICAL;
      entry.summary = breaker.reason();
      entry.cause = evidenceLines(breaker.evidence());
      entry.action = "every eviction is stopped until " + breaker.closesAt() + " or a person resets the breaker";
      entry.subjects.add("remediation/breaker");
      entry.open.put("breaker", null);
      entry.needsPerson = breaker.reason();
      setState(entry, Incident.State.ESCALATED);
      entry.updatedAt = now;
      schedule(entry);
      return List.of(opened(entry, now));
    }
    if (entry == null || entry.state == Incident.State.RESOLVED) {
      return List.of();
    }
    entry.open.clear();
    List<IncidentChange> resolved = List.of(resolve(entry, "breaker closed: " + breaker.reason(), now));
    schedule(entry);
    return resolved;
  }

  /** Resolves what stayed quiet long enough, re-notifies what stays critical; call every few seconds. */
  public List<IncidentChange> tick(Instant now) {
    // entries compare by identity: a set, because a storm's incidents can all come due in one tick
    Set<Entry> dueSet = new java.util.HashSet<>();
    while (!deadlines.isEmpty() && !deadlines.peek().at().isAfter(now)) {
      Entry entry = deadlines.poll().entry();
      if (entry.scheduledAt != null && !entry.scheduledAt.isAfter(now)) {
        entry.scheduledAt = null; // queued again below if something is still ahead of it
      }
      if (byRoot.get(entry.rootKey) == entry) {
        dueSet.add(entry); // forgotten or replaced ones are not; an entry queued twice is looked at once
      }
    }
    List<Entry> due = new ArrayList<>(dueSet);
    due.sort(Comparator.comparingLong(entry -> entry.order));
    List<IncidentChange> changes = new ArrayList<>();
    for (Entry entry : due) {
      check(entry, now, changes);
    }
    due.forEach(this::schedule);
    return changes;
  }

  /** The earliest time {@link #tick} has something to do for this incident, {@code null} when nothing is ahead. */
  private Instant dueAt(Entry entry) {
    if (entry.state == Incident.State.RESOLVED) {
      // forgotten once strictly past the flap window
      return entry.resolvedAt.plus(config.flapWindow()).plusNanos(1);
    }
    Instant due = null;
    if (entry.open.isEmpty() && entry.quietSince != null) {
      due = earlier(due, entry.quietSince.plus(config.quietPeriod()));
    }
    if (entry.silencedUntil != null) {
      due = earlier(due, entry.silencedUntil);
    }
    if (entry.acknowledgedBy == null && entry.severity == Severity.CRITICAL && !entry.open.isEmpty()
        && entry.lastNotifiedAt != null) {
      due = earlier(due, entry.lastNotifiedAt.plus(config.renotifyInterval()));
    }
    return due;
  }

  private static Instant earlier(Instant a, Instant b) {
    return a == null || b.isBefore(a) ? b : a;
  }

  /** Queues the incident's next deadline unless an earlier or equal one is queued already. */
  private void schedule(Entry entry) {
    Instant due = dueAt(entry);
    if (due != null && (entry.scheduledAt == null || due.isBefore(entry.scheduledAt))) {
      entry.scheduledAt = due;
      deadlines.add(new Due(due, entry));
    }
  }

  private void setState(Entry entry, Incident.State state) {
    boolean wasUnresolved = entry.state != Incident.State.RESOLVED;
    entry.state = state;
    unresolvedCount += (state != Incident.State.RESOLVED ? 1 : 0) - (wasUnresolved ? 1 : 0);
  }

  /** What the tick does for one incident that is due (the checks hold whether or not it really is). */
  private void check(Entry entry, Instant now, List<IncidentChange> changes) {
    if (entry.state == Incident.State.RESOLVED) {
      if (now.isAfter(entry.resolvedAt.plus(config.flapWindow()))) {
        byRoot.remove(entry.rootKey); // past the flap window: a return is a new incident
        byIncidentId.remove(entry.id);
      }
      return;
    }
    if (entry.open.isEmpty() && entry.quietSince != null
        && !now.isBefore(entry.quietSince.plus(config.quietPeriod()))) {
      changes.add(resolve(entry, "resolved: no finding for " + config.quietPeriod(), now));
    }
    if (entry.silencedUntil != null && !now.isBefore(entry.silencedUntil)) {
      String by = entry.silencedBy;
      entry.silencedUntil = null;
      entry.silencedBy = null;
      changes.add(change(entry, Kind.REPLY, "silence by " + by + " ended", now));
    }
    if (entry.state == Incident.State.RESOLVED) {
      return;
    } else if (entry.acknowledgedBy == null && entry.severity == Severity.CRITICAL && !entry.open.isEmpty()
        && entry.lastNotifiedAt != null
        && !now.isBefore(entry.lastNotifiedAt.plus(config.renotifyInterval()))) {
      entry.lastNotifiedAt = now;
      changes.add(new IncidentChange(snapshot(entry), Kind.RENOTIFY, "still unresolved since " + entry.openedAt
          + (entry.needsPerson == null ? "" : "; needs a person: " + entry.needsPerson), pages(entry),
          pages(entry) && entry.needsPerson != null, List.of(), now));
    }
  }

  /**
   * What a restart must remember of an incident: enough to continue it (same id, same Slack thread) instead of
   * opening a new one when its findings are reported again.
   */
  public record SavedIncident(String id, String rootKey, String detectorId, Severity severity, Incident.State state,
      String node, List<String> subjects, String summary, List<String> cause, String action, String needsPerson,
      boolean silenced, boolean digested, Instant openedAt, Instant updatedAt, Instant resolvedAt,
      Instant lastNotifiedAt, PersonState person) {
    public SavedIncident {
      person = person == null ? PersonState.NONE : person;
    }

    public SavedIncident(String id, String rootKey, String detectorId, Severity severity, Incident.State state,
        String node, List<String> subjects, String summary, List<String> cause, String action, String needsPerson,
        boolean silenced, boolean digested, Instant openedAt, Instant updatedAt, Instant resolvedAt,
        Instant lastNotifiedAt) {
      this(id, rootKey, detectorId, severity, state, node, subjects, summary, cause, action, needsPerson, silenced,
          digested, openedAt, updatedAt, resolvedAt, lastNotifiedAt, PersonState.NONE);
    }
  }

  /** Every incident tracked now, resolved ones within the flap window included. */
  public List<SavedIncident> export() {
    return byRoot.values().stream().map(e -> new SavedIncident(e.id, e.rootKey, e.detectorId, e.severity, e.state,
        e.node, List.copyOf(e.subjects), e.summary, e.cause, e.action, e.needsPerson, e.silenced, e.digested,
        e.openedAt, e.updatedAt, e.resolvedAt, e.lastNotifiedAt, new PersonState(e.acknowledgedBy, e.silencedBy,
            e.silencedUntil, e.silencedSeverity, e.silencedEscalated))).toList();
  }

  /**
   * Continues incidents saved by an earlier run. Their findings are not known yet: each unresolved incident counts as
   * quiet from {@code now}, so the findings the evaluator reports again within the quiet period keep it open, and an
   * incident whose findings went away while chainwatch was down resolves.
   */
  public void restore(List<SavedIncident> saved, Instant now) {
    for (SavedIncident s : saved) {
      Entry e = new Entry();
      e.id = s.id();
      e.rootKey = s.rootKey();
      e.detectorId = s.detectorId();
      e.severity = s.severity();
      e.state = s.state();
      e.node = s.node();
      e.subjects.addAll(s.subjects());
      e.summary = s.summary() == null ? "" : s.summary();
      e.cause = s.cause() == null ? List.of() : s.cause();
      e.action = s.action() == null ? "" : s.action();
      e.needsPerson = s.needsPerson();
      e.silenced = s.silenced();
      e.digested = s.digested();
      e.openedAt = s.openedAt();
      e.updatedAt = s.updatedAt();
      e.resolvedAt = s.resolvedAt();
      e.lastNotifiedAt = s.lastNotifiedAt();
      e.acknowledgedBy = s.person().acknowledgedBy();
      e.silencedBy = s.person().silencedBy();
      e.silencedUntil = s.person().silencedUntil();
      e.silencedSeverity = s.person().silencedSeverity();
      e.silencedEscalated = s.person().silencedEscalated();
      e.quietSince = e.state == Incident.State.RESOLVED ? null : now;
      e.order = entries++;
      Entry replaced = byRoot.put(e.rootKey, e);
      if (replaced != null) {
        byIncidentId.remove(replaced.id);
        unresolvedCount -= replaced.state != Incident.State.RESOLVED ? 1 : 0;
      }
      unresolvedCount += e.state != Incident.State.RESOLVED ? 1 : 0;
      byIncidentId.put(e.id, e);
      schedule(e);
    }
  }

  /** Incidents not resolved, for tests and a person's view. */
  public List<Incident> unresolved() {
    return byRoot.values().stream().filter(e -> e.state != Incident.State.RESOLVED).map(this::snapshot).toList();
  }

  /** How many incidents are not resolved, for the metric: counted, not snapshotted (it is read on every change). */
  public int unresolvedCount() {
    return unresolvedCount;
  }

  /** Whether an incident with this id is tracked (resolved ones within the flap window too). */
  public boolean tracks(String incidentId) {
    return byIncidentId.containsKey(incidentId);
  }

  /** How many incidents are tracked, resolved ones within the flap window included. */
  public int tracked() {
    return byRoot.size();
  }

  public Optional<Incident> incident(String rootKey) {
    return Optional.ofNullable(byRoot.get(rootKey)).map(this::snapshot);
  }

  private Entry entryOf(Finding finding) {
    String root = rootByFinding.getOrDefault(finding.dedupKey(), rootKeyOf(finding));
    return byRoot.get(root);
  }

  private Entry newEntry(String root, String detectorId, Instant now) {
    Entry entry = new Entry();
    entry.id = idOf(root, now);
    entry.rootKey = root;
    entry.detectorId = detectorId;
    entry.openedAt = now;
    entry.updatedAt = now;
    entry.lastNotifiedAt = now;
    entry.order = entries++;
    Entry replaced = byRoot.put(root, entry);
    if (replaced != null) {
      byIncidentId.remove(replaced.id);
      unresolvedCount -= replaced.state != Incident.State.RESOLVED ? 1 : 0;
    }
    unresolvedCount++; // a new entry is open
    byIncidentId.put(entry.id, entry);
    return entry;
  }

  /** A stable, readable id: cluster, a hash of the root cause, and when it opened. */
  private String idOf(String root, Instant openedAt) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest((cluster + "|" + root).getBytes(StandardCharsets.UTF_8));
      return cluster + "-" + HexFormat.of().formatHex(hash, 0, 5) + "-" + openedAt.getEpochSecond();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  private IncidentChange opened(Entry entry, Instant now) {
    openings.addLast(now);
    while (!openings.isEmpty() && openings.peekFirst().isBefore(now.minus(config.stormWindow()))) {
      openings.removeFirst();
    }
    if (openings.size() > config.stormThreshold() && !entry.rootKey.equals(BREAKER_ROOT)) {
      entry.digested = true;
      return digest(entry, now);
    }
    return new IncidentChange(snapshot(entry), Kind.OPENED, entry.summary, pages(entry),
        pages(entry) && entry.state == Incident.State.ESCALATED && entry.severity == Severity.CRITICAL, List.of(), now);
  }

  /** Folds an incident into the storm's digest: one message lists them instead of one each. */
  private IncidentChange digest(Entry folded, Instant now) {
    if (storm == null || now.isAfter(storm.updatedAt.plus(config.stormWindow()))) {
      storm = new Entry();
      storm.id = idOf("storm", now);
      storm.rootKey = "storm";
      storm.detectorId = "storm";
      storm.severity = Severity.CRITICAL;
      storm.openedAt = now;
    }
    storm.updatedAt = now;
    storm.severity = folded.severity.ordinal() < storm.severity.ordinal() ? folded.severity : storm.severity;
    storm.folded++;
    if (storm.digestLines.size() < MAX_DIGEST_LINES) {
      storm.digestLines.add(folded.severity.name().toLowerCase() + " " + texts.title(folded.detectorId)
          + ": " + String.join(", ", folded.subjects) + " (incident " + folded.id + ")");
    }
    // the count of what was folded, not of the lines kept (at most MAX_DIGEST_LINES; Slack shows what fits)
    storm.summary = "Storm: more than " + config.stormThreshold() + " incidents within " + config.stormWindow()
        + "; " + storm.folded + (storm.folded == 1 ? " incident was" : " incidents were")
        + " folded into this message instead of one message each";
    return new IncidentChange(snapshot(storm), Kind.DIGEST, storm.summary, true, false, storm.digestLines, now);
  }

  private IncidentChange escalate(Entry entry, String why, Instant now) {
    endSilenceIfWorse(entry, true, now); // the escalation itself pages once the silence ends
    if (entry.state == Incident.State.ACTING) {
      // the root's Action line showed the attempt (and its retry); it is over, the Needs-a-person line says why
      entry.action = "chainwatch stopped acting on it: a person decides now";
    }
    setState(entry, Incident.State.ESCALATED);
    entry.needsPerson = why;
    entry.updatedAt = now;
    entry.lastNotifiedAt = now;
    return new IncidentChange(snapshot(entry), Kind.ESCALATED, "needs a person: " + why, pages(entry),
        pages(entry) && entry.severity == Severity.CRITICAL, List.of(), now);
  }

  private IncidentChange resolve(Entry entry, String text, Instant now) {
    setState(entry, Incident.State.RESOLVED);
    entry.resolvedAt = now;
    entry.updatedAt = now;
    entry.quietSince = null;
    return change(entry, Kind.RESOLVED, text, now);
  }

  private IncidentChange change(Entry entry, Kind kind, String text, Instant now) {
    return new IncidentChange(snapshot(entry), kind, text, pages(entry), false, List.of(), now);
  }

  private static boolean pages(Entry entry) {
    return !entry.silenced && !entry.digested && entry.silencedUntil == null;
  }

  /**
   * A person's silence ends early when the incident gets worse than it was: it becomes critical, or it escalates
   * (needs a person) while critical when it did not before. Returns the note for the thread, or {@code null}.
   */
  private IncidentChange endSilenceIfWorse(Entry entry, boolean escalating, Instant now) {
    if (entry.silencedUntil == null || entry.severity != Severity.CRITICAL) {
      return null;
    }
    boolean becameCritical = entry.silencedSeverity != Severity.CRITICAL;
    boolean newlyEscalated = escalating && !entry.silencedEscalated && entry.state != Incident.State.ESCALATED;
    if (!becameCritical && !newlyEscalated) {
      return null;
    }
    String by = entry.silencedBy;
    entry.silencedUntil = null;
    entry.silencedBy = null;
    return change(entry, Kind.REPLY, "silence by " + by + " ended early: the incident "
        + (becameCritical ? "became critical" : "escalated while critical"), now);
  }

  /** The incident with this id, if tracked (resolved ones within the flap window too). */
  private Entry byId(String incidentId) {
    return byIncidentId.get(incidentId);
  }

  /**
   * A person acknowledged the incident from its message: recorded, and it is not re-notified any more. Empty when the
   * incident is unknown, resolved, or acknowledged already (a second click changes nothing).
   *
   * @param by who, as a Slack mention
   */
  public Optional<IncidentChange> acknowledge(String incidentId, String by, Instant now) {
    Entry entry = byId(incidentId);
    if (entry == null || entry.state == Incident.State.RESOLVED || entry.acknowledgedBy != null) {
      return Optional.empty();
    }
    entry.acknowledgedBy = by;
    entry.updatedAt = now;
    return Optional.of(new IncidentChange(snapshot(entry), Kind.REPLY, "acknowledged by " + by
        + ": no more re-notification", !entry.digested, false, List.of(), now));
  }

  /**
   * A person silenced the incident from its message for {@code duration}: its changes are audited but reach nobody
   * until then, unless it gets worse (critical, or escalated while critical). A new silence replaces an older one.
   * Empty when the incident is unknown or resolved.
   */
  public Optional<IncidentChange> silence(String incidentId, java.time.Duration duration, String by, Instant now) {
    Entry entry = byId(incidentId);
    if (entry == null || entry.state == Incident.State.RESOLVED) {
      return Optional.empty();
    }
    entry.silencedBy = by;
    entry.silencedUntil = now.plus(duration);
    entry.silencedSeverity = entry.severity;
    entry.silencedEscalated = entry.state == Incident.State.ESCALATED;
    entry.updatedAt = now;
    schedule(entry);
    // this one note is delivered (it says the incident is silenced); what follows is not, until the silence ends
    return Optional.of(new IncidentChange(snapshot(entry), Kind.REPLY, "silenced by " + by + " until "
        + entry.silencedUntil + " (ends early if it becomes critical or escalates while critical)", !entry.digested,
        false, List.of(), now));
  }

  /** A note about an incident from elsewhere (an approval asked or answered), delivered like any change. */
  public Optional<IncidentChange> note(String incidentId, String text, Instant now) {
    Entry entry = byId(incidentId);
    if (entry == null) {
      return Optional.empty();
    }
    entry.updatedAt = now;
    return Optional.of(change(entry, Kind.REPLY, text, now));
  }

  /** What people did to an incident, for its message's buttons; {@link PersonState#NONE} when unknown. */
  public PersonState personState(String incidentId) {
    Entry entry = byId(incidentId);
    return entry == null ? PersonState.NONE : new PersonState(entry.acknowledgedBy, entry.silencedBy,
        entry.silencedUntil, entry.silencedSeverity, entry.silencedEscalated);
  }

  private Incident snapshot(Entry entry) {
    // a node's incident can hold every pod on the node: a set keeps this linear
    Set<String> subjects = new LinkedHashSet<>();
    entry.open.values().stream().filter(Objects::nonNull).map(f -> f.resource().key()).forEach(subjects::add);
    subjects.addAll(entry.subjects);
    return new Incident(entry.id, entry.rootKey, entry.detectorId, cluster, entry.severity, entry.state,
        title(entry), entry.node, List.copyOf(subjects), (int) entry.open.values().stream().filter(Objects::nonNull).count()
            + (entry.open.containsKey("breaker") ? 1 : 0),
        entry.summary, entry.cause, entry.action, entry.needsPerson, entry.silenced, entry.openedAt, entry.updatedAt,
        entry.resolvedAt);
  }

  private String title(Entry entry) {
    if (entry.rootKey.equals("storm")) {
      return "Storm of incidents";
    }
    if (entry.rootKey.equals(BREAKER_ROOT)) {
      return "Remediation stopped: storm of restart findings";
    }
    // the root's group names the problem (a node's race, its host network), whichever finding opened it
    long pods = entry.subjects.stream().filter(s -> s.startsWith("Pod/")).count();
    // a node's group opened by a node finding (a missing taint) with no pod in it is titled by that finding: "Pods
    // missed the Cilium chain" would name a problem no pod there has
    String what = texts.title(pods == 0 && entry.detectorId != null ? entry.detectorId
        : entry.rootKey.substring(0, entry.rootKey.indexOf(':')));
    if (entry.rootKey.contains(":node/")) {
      return what + " on node " + entry.node + (pods == 0 ? "" : " (" + pods + (pods == 1 ? " pod)" : " pods)"));
    }
    return what + ": " + String.join(", ", entry.subjects);
  }

  private static List<String> causeLines(Finding finding) {
    Map<String, Object> evidence = new LinkedHashMap<>(finding.evidence());
    evidence.keySet().removeAll(io.chainwatch.model.FindingFacts.NOT_CAUSE);
    return evidenceLines(evidence);
  }

  private static List<String> evidenceLines(Map<String, Object> evidence) {
    List<String> lines = new ArrayList<>();
    evidence.forEach((key, value) -> {
      if (lines.size() < MAX_CAUSE_LINES && value != null) {
        lines.add(key + ": " + readable(value));
      }
    });
    return lines;
  }

  /**
   * Evidence as a person reads it: a map as {@code key: value, key: value}, a list comma-separated, nested ones in
   * parentheses; never Java's {@code {value=1, effective=1}}.
   */
  static String readable(Object value) {
    if (value instanceof Map<?, ?> map) {
      List<String> parts = new ArrayList<>();
      map.forEach((k, v) -> parts.add(k + ": " + nested(v)));
      return String.join(", ", parts);
    }
    if (value instanceof java.util.Collection<?> list) {
      return String.join(", ", list.stream().map(IncidentTracker::nested).toList());
    }
    return String.valueOf(value);
  }

  private static String nested(Object value) {
    return value instanceof Map<?, ?> || value instanceof java.util.Collection<?> ? "(" + readable(value) + ")"
        : String.valueOf(value);
  }
}
