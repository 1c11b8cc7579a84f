package io.chainwatch.watcher;

import io.chainwatch.bus.BlockingWork;
import io.chainwatch.bus.BusAddresses;
import io.chainwatch.bus.BusCodecs;
import io.chainwatch.config.ChainwatchConfig;
import io.chainwatch.config.LeaderElectionConfig;
import io.chainwatch.config.NotifiersConfig;
import io.chainwatch.watcher.lead.LeaderGate;
import io.chainwatch.model.BreakerChange;
import io.chainwatch.model.Finding;
import io.chainwatch.model.RemediationDecision;
import io.chainwatch.model.RemediationOutcome;
import io.chainwatch.notifier.NotifierVerticle;
import io.chainwatch.notifier.SilenceView;
import io.chainwatch.notifier.event.KubernetesEventNotifier;
import io.chainwatch.notifier.incident.DetectorTexts;
import io.chainwatch.notifier.kafka.KafkaNotifier;
import io.chainwatch.notifier.slack.SlackNotifier;
import io.chainwatch.remediation.RemediationVerticle;
import io.chainwatch.remediation.WritePermit;
import io.chainwatch.remediation.action.EvictPodRemediation;
import io.chainwatch.remediation.action.NodeRepairRequester;
import io.chainwatch.remediation.action.RemediationStateStore;
import io.chainwatch.remediation.policy.RemediationPolicy;
import io.chainwatch.watcher.detect.Detector;
import io.chainwatch.watcher.detect.DetectorCatalog;
import io.chainwatch.watcher.detect.Detectors;
import io.chainwatch.watcher.eval.ChangeGate;
import io.chainwatch.watcher.eval.EvaluationVerticle;
import io.chainwatch.watcher.eval.FindingLogVerticle;
import io.chainwatch.watcher.health.HealthVerticle;
import io.chainwatch.watcher.health.WatcherMetrics;
import io.chainwatch.watcher.informer.ClusterWatcher;
import io.chainwatch.watcher.informer.PruningSerialization;
import io.chainwatch.watcher.view.AgentIdentity;
import io.chainwatch.watcher.view.ClusterState;
import io.chainwatch.watcher.view.ClusterView;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code run} pipeline, assembled: informers → view → bus → detectors → findings. Used by {@code run} with a real
 * client and by the demo and tests with a mock API server's client; the code path is the same.
 */
public final class Chainwatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Chainwatch.class);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  /** The titles and runbooks incidents show: each detector's own, from its declaration. */
  private static final DetectorTexts TEXTS = DetectorTexts.of(DetectorCatalog.texts());

  private final Vertx vertx;
  private final WatcherMetrics metrics;
  private final ClusterState state;
  private final ChangeGate gate;
  private final EvaluationVerticle evaluator;
  private final HealthVerticle health;
  private final ClusterWatcher watcher;
  private final KubernetesClient watchClient;
  private final EvictPodRemediation evictor;
  private final RemediationVerticle remediation;
  private final KafkaNotifier kafka;
  private final SlackNotifier slack;
  /** The buttons' Socket Mode connection, {@code null} when slack.appTokenFile is not set. */
  private final io.chainwatch.notifier.slack.SlackActions slackActions;
  private final KubernetesEventNotifier events;
  private final io.chainwatch.notifier.pagerduty.PagerDutyNotifier pagerDuty;
  private final io.chainwatch.notifier.opsgenie.OpsgenieNotifier opsgenie;
  private volatile boolean evaluating;
  /**
   * Set just before the evaluator is activated, so that no change after the first sweep's view is lost: one published
   * before the sweep runs is dropped by the evaluator, and the sweep sees it in the view.
   */
  private volatile boolean changesWanted;
  /** Set by {@link #close()}: failures after it are the stop itself, not errors. */
  private volatile boolean closing;
  private volatile boolean breakerOpen;
  private volatile LeaderGate leaderGate;

  private Chainwatch(ChainwatchConfig config, KubernetesClient client, Clock clock, PrintStream findingsOut,
      WritePermit permit) {
    this.vertx = Vertx.vertx();
    BusCodecs.registerAll(vertx.eventBus());
    this.metrics = new WatcherMetrics();
    this.gate = new ChangeGate(config.busQueueCapacity());
    // ClusterState reports only real changes, so this is the one place that counts them
    this.state = new ClusterState(AgentIdentity.from(config), change -> {
      metrics.viewChange(change.ref().kind());
      // Before the first sweep, the evaluator drops every change (a pod could look endpoint-less merely because the
      // endpoints had not been listed yet), and the sweep reads the whole view: a 150k-pod sync published 300,000
      // messages that were all dropped.
      if (changesWanted && gate.tryAcquire()) {
        vertx.eventBus().publish(BusAddresses.CLUSTER_CHANGES, change, LOCAL);
      }
    });
    metrics.gauge("chainwatch_bus_in_flight", "Cluster changes published but not yet evaluated", gate::inFlight);
    metrics.counter("chainwatch_bus_dropped", "Cluster changes dropped because the evaluator was behind (goal 0)",
        gate::dropped);
    List<Detector> detectors = Detectors.enabled(config);
    this.evaluator = new EvaluationVerticle(state, detectors, clock, config.sweepInterval(), gate, metrics);
    // The informers get their own client, same connection settings, with the pruning decoder: see PruningSerialization.
    PruningSerialization pruning = new PruningSerialization();
    this.watchClient = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
        .withConfig(client.getConfiguration())
        .withKubernetesSerialization(pruning)
        // watch frames read from their bytes, without the String fabric8 would make of each
        .withHttpClientFactory(new io.chainwatch.watcher.informer.FrameReadingHttpClientFactory(
            io.fabric8.kubernetes.client.utils.HttpClientUtils.getHttpClientFactory(), pruning))
        .withTaskExecutor(ClusterWatcher.IN_PLACE)
        // the informers' lists and watches, timed: how long the API server takes is most of a sync
        .withHttpClientBuilderConsumer(http -> http.addOrReplaceInterceptor("chainwatch-timing",
            new io.chainwatch.watcher.informer.TimedApiCalls(metrics.callTimer())))
        .build();
    this.watcher = new ClusterWatcher(watchClient, state, metrics);
    this.health = new HealthVerticle(config.httpPort(), metrics, this::notReadyReasons, this::unhealthyReasons);
    await(vertx.deployVerticle(evaluator));
    await(vertx.deployVerticle(new FindingLogVerticle(findingsOut)));
    await(vertx.deployVerticle(health));
    this.evictor = new EvictPodRemediation(client, config.remediation().requestTimeout());
    evictor.timeCallsWith(metrics.callTimer());
    this.remediation = new RemediationVerticle(new RemediationPolicy(config.remediation()),
        new ClusterRemediationView(state), evictor,
        new NodeRepairRequester(client, config.remediation().requestTimeout(), repairSigner(config)),
        new RemediationStateStore(client, config.remediation().stateNamespace(), config.remediation().stateConfigMap()),
        permit, clock);
    countRemediation();
    await(vertx.deployVerticle(remediation));
    NotifiersConfig notifiers = config.notifiers();
    this.kafka = notifiers.kafka().enabled() ? startKafka(notifiers, metrics.callTimer()) : null;
    this.slack = notifiers.slack().enabled() ? startSlack(notifiers, metrics.callTimer()) : null;
    this.events = notifiers.eventsEnabled()
        ? new KubernetesEventNotifier(client, System.getenv().getOrDefault("HOSTNAME", "chainwatch"),
            config.value(io.chainwatch.config.Settings.EVENTS_MAX_PER_SECOND)) : null;
    String pagerDutyKey = config.value(io.chainwatch.config.Settings.PAGERDUTY_ROUTING_KEY_FILE);
    this.pagerDuty = pagerDutyKey.isEmpty() ? null : startPagerDuty(config, notifiers, pagerDutyKey);
    String opsgenieKey = config.value(io.chainwatch.config.Settings.OPSGENIE_API_KEY_FILE);
    this.opsgenie = opsgenieKey.isEmpty() ? null : startOpsgenie(config, notifiers, opsgenieKey);
    if (events != null) {
      events.timeCallsWith(metrics.callTimer());
    }
    if (pagerDuty != null) {
      pagerDuty.outbox().timeCallsWith(metrics.callTimer());
    }
    if (opsgenie != null) {
      opsgenie.outbox().timeCallsWith(metrics.callTimer());
    }
    List<java.util.function.BiConsumer<io.chainwatch.model.IncidentChange, io.chainwatch.notifier.route.Route>> pagers =
        new ArrayList<>();
    if (pagerDuty != null) {
      pagers.add(pagerDuty::deliver);
    }
    if (opsgenie != null) {
      pagers.add(opsgenie::deliver);
    }
    ViewSilences viewFacts = new ViewSilences(state);
    String opsgenieTeam = config.value(io.chainwatch.config.Settings.OPSGENIE_TEAM);
    var defaults = new io.chainwatch.notifier.route.Route(io.chainwatch.notifier.route.Route.DEFAULT,
        slack == null ? null : notifiers.slack().channel(), pagerDuty == null ? null : "", opsgenie != null,
        opsgenieTeam.isEmpty() ? List.of() : List.of("team:" + opsgenieTeam));
    var router = new io.chainwatch.notifier.route.IncidentRouter(
        config.value(io.chainwatch.config.Settings.ROUTING_RULES), defaults);
    NotifierVerticle notifier = new NotifierVerticle(notifiers, config.clusterName(), TEXTS, viewFacts,
        kafka, slack, events, pagers, router, viewFacts, viewFacts, clock, permit::mayWriteNow,
        config.leaderElection().enabled()
            ? config.leaderElection().leaseDuration().plus(config.leaderElection().retryPeriod()) : Duration.ZERO);
    String appTokenFile = config.value(io.chainwatch.config.Settings.SLACK_APP_TOKEN_FILE);
    if (slack != null && !appTokenFile.isEmpty()) {
      notifier.withSlackButtons();
      this.slackActions = new io.chainwatch.notifier.slack.SlackActions(notifiers.slack().apiUrl(), appTokenFile,
          notifiers.slack().tokenFile(), config.value(io.chainwatch.config.Settings.SLACK_ACTIONS_GROUP),
          action -> vertx.eventBus().publish(BusAddresses.PERSON_ACTIONS, action,
              new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true)),
          permit::mayWriteNow, clock);
      metrics.counter("chainwatch_slack_clicks", "Button clicks received from Slack (each once)", slackActions::clicks);
      metrics.counter("chainwatch_slack_clicks_refused", "Clicks by people outside slack.actionsGroup (nothing done)",
          slackActions::refused);
    } else {
      this.slackActions = null;
    }
    // The notifier gets a thread of its own: deployed as the fifth verticle it shared the evaluator's event loop (4
    // loops on 2 cores), so every change waiting to be evaluated also waited for its records' encoding (a third of
    // that loop's samples) and its 5-second tick (which then walked every incident: 50 to 270 ms with 20,000 to
    // 50,000 incidents of a storm in the pipeline benchmark; it now looks only at those due). A worker verticle on a
    // pool of one thread runs its tasks one at a time, in order, on that thread, as an event loop would (on the shared
    // worker pool they hopped between threads); its incident saves (executeBlocking) run there too, between them.
    await(vertx.deployVerticle(notifier, new io.vertx.core.DeploymentOptions()
        .setThreadingModel(io.vertx.core.ThreadingModel.WORKER)
        .setWorkerPoolName("chainwatch-notifier").setWorkerPoolSize(1)));
    if (slackActions != null) {
      slackActions.start(); // after every consumer of clicks is deployed: a click published earlier would reach nobody
    }
    countNotifiers(notifier);
    String inventoryTopic = config.value(io.chainwatch.config.Settings.KAFKA_INVENTORY_TOPIC);
    if (kafka != null && !inventoryTopic.isEmpty()) {
      publishInventory(inventoryTopic, config.clusterName(), viewFacts, permit);
    }
    if (config.value(io.chainwatch.config.Settings.NODE_CONDITIONS_ENABLED)) {
      var conditions = new io.chainwatch.notifier.condition.NodeConditionsVerticle(
          new io.chainwatch.notifier.condition.NodeConditionWriter(client), this::conditionSubjects,
          permit::mayWriteNow, () -> evaluating, clock,
          config.value(io.chainwatch.config.Settings.NODE_CONDITIONS_SETTLE));
      await(vertx.deployVerticle(conditions));
      metrics.counter("chainwatch_node_conditions_written", "Node condition sets written or found already there",
          conditions::written);
      metrics.counter("chainwatch_node_conditions_failed", "Node condition writes that failed (retried after a "
          + "second, backing off to a minute)", conditions::failed);
    }
    LOG.info("Notifiers: Kafka {}, Slack {}, Kubernetes Events {}",
        kafka == null ? "off" : "to " + notifiers.kafka().bootstrapServers(),
        slack == null ? "off" : "to " + notifiers.slack().channel(), events == null ? "off" : "on");
    LOG.info("Detectors: {}; health and metrics on port {}",
        detectors.stream().map(Detector::id).toList(), health.actualPort());
  }

  private static KafkaNotifier startKafka(NotifiersConfig notifiers, io.chainwatch.model.CallTimer timer) {
    KafkaNotifier kafka = new KafkaNotifier(notifiers.kafka(), notifiers.stateDir().resolve("spool"), Map.of());
    kafka.timeCallsWith(timer);
    try {
      kafka.start();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("Kafka is configured but its spool cannot be used: " + e.getMessage()
          + " (set stateDir to a writable directory)", e);
    }
    return kafka;
  }

  private static io.chainwatch.notifier.pagerduty.PagerDutyNotifier startPagerDuty(ChainwatchConfig config,
      NotifiersConfig notifiers, String routingKeyFile) {
    var pagerDuty = new io.chainwatch.notifier.pagerduty.PagerDutyNotifier(
        java.net.URI.create(config.value(io.chainwatch.config.Settings.PAGERDUTY_API_URL)),
        java.nio.file.Path.of(routingKeyFile), notifiers.stateDir().resolve("pagerduty.json"),
        io.chainwatch.notifier.alert.AlertOutbox.Timing.PRODUCTION, TEXTS::runbook);
    try {
      pagerDuty.start();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("PagerDuty is configured but its outbox cannot be used: " + e.getMessage()
          + " (set stateDir to a writable directory)", e);
    }
    return pagerDuty;
  }

  private static io.chainwatch.notifier.opsgenie.OpsgenieNotifier startOpsgenie(ChainwatchConfig config,
      NotifiersConfig notifiers, String apiKeyFile) {
    var opsgenie = new io.chainwatch.notifier.opsgenie.OpsgenieNotifier(
        java.net.URI.create(config.value(io.chainwatch.config.Settings.OPSGENIE_API_URL)),
        java.nio.file.Path.of(apiKeyFile), config.value(io.chainwatch.config.Settings.OPSGENIE_TEAM),
        notifiers.stateDir().resolve("opsgenie.json"), io.chainwatch.notifier.alert.AlertOutbox.Timing.PRODUCTION);
    try {
      opsgenie.start();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("Opsgenie is configured but its outbox cannot be used: " + e.getMessage()
          + " (set stateDir to a writable directory)", e);
    }
    return opsgenie;
  }

  private static SlackNotifier startSlack(NotifiersConfig notifiers, io.chainwatch.model.CallTimer timer) {
    SlackNotifier slack = new SlackNotifier(notifiers.slack(), notifiers.stateDir().resolve("slack-threads.json"),
        SlackNotifier.Timing.PRODUCTION, TEXTS);
    slack.timeCallsWith(timer);
    slack.start();
    return slack;
  }

  /**
   * Every 10 s, the leader publishes the nodes that changed (and a tombstone for each node gone) to the compacted
   * inventory topic; a replica that does not lead forgets what it published, so when it leads it publishes every node
   * again. Off the event loop: it walks every node.
   */
  private void publishInventory(String topic, String cluster, ViewSilences viewFacts, WritePermit permit) {
    io.chainwatch.watcher.inventory.NodeInventory inventory = new io.chainwatch.watcher.inventory.NodeInventory(cluster);
    java.util.concurrent.atomic.AtomicLong published = new java.util.concurrent.atomic.AtomicLong();
    metrics.counter("chainwatch_inventory_published", "Node inventory records (and tombstones) sent to Kafka",
        published::get);
    vertx.setPeriodic(1_000, 10_000, id -> BlockingWork.onWorker(vertx, () -> {
      if (!evaluating) {
        return null; // not every node is listed yet: a tombstone now would delete a node that is there
      }
      if (!permit.mayWriteNow()) {
        inventory.forget();
        return null;
      }
      for (var change : inventory.changes(state.nodes(), viewFacts.node(null).ciliumVersion())) {
        kafka.send(topic, change.key(), change.value(),
            Map.of("chainwatch-cluster", cluster, "chainwatch-node", change.node()));
        published.incrementAndGet();
      }
      return null;
    }));
  }

  private void countNotifiers(NotifierVerticle notifier) {
    metrics.gauge("chainwatch_incidents_open", "Incidents not resolved", notifier::unresolvedIncidents);
    if (kafka != null) {
      metrics.gauge("chainwatch_kafka_spool_records", "Records spooled and not yet acknowledged by Kafka",
          kafka::depth);
      metrics.gauge("chainwatch_kafka_spool_bytes", "Bytes the Kafka spool occupies", kafka::spoolBytes);
      metrics.counter("chainwatch_kafka_dropped", "Records dropped because the spool was full or could not be "
          + "written (goal 0)", kafka::dropped);
      metrics.counter("chainwatch_kafka_dead_letter", "Records Kafka refused for good, moved to the dead-letter file "
          + "(goal 0)", kafka::deadLettered);
      metrics.counter("chainwatch_kafka_acknowledged", "Records Kafka acknowledged", kafka::acknowledged);
      metrics.counter("chainwatch_kafka_resent", "Records sent again after Kafka did not acknowledge them",
          kafka::resent);
    }
    if (slack != null) {
      metrics.gauge("chainwatch_slack_pending", "Incident changes waiting for Slack", slack::pending);
      metrics.counter("chainwatch_slack_retries", "Slack calls retried (429, 5xx, timeouts)", slack::retries);
      metrics.counter("chainwatch_slack_dropped", "Incident changes dropped from a full Slack queue (goal 0)",
          slack::dropped);
    }
    if (pagerDuty != null) {
      countPager("pagerduty", "PagerDuty", pagerDuty.outbox());
    }
    if (opsgenie != null) {
      countPager("opsgenie", "Opsgenie", opsgenie.outbox());
    }
    if (events != null) {
      metrics.counter("chainwatch_events_written", "Kubernetes Events written or updated", events::written);
      metrics.counter("chainwatch_events_dropped", "Kubernetes Events dropped from a full queue", events::dropped);
      metrics.counter("chainwatch_events_rate_limited", "Kubernetes Events not written: over events.maxPerSecond "
          + "(the audit log has every record)", events::rateLimited);
      metrics.counter("chainwatch_events_failed", "Kubernetes Events the API server refused", events::failed);
    }
  }

  private void countPager(String id, String name, io.chainwatch.notifier.alert.AlertOutbox outbox) {
    metrics.gauge("chainwatch_" + id + "_pending", name + " calls waiting to be sent", outbox::pending);
    metrics.counter("chainwatch_" + id + "_sent", name + " calls accepted", outbox::sent);
    metrics.counter("chainwatch_" + id + "_retries", name + " calls retried (429, 5xx, network, a refused key)",
        outbox::retries);
    metrics.counter("chainwatch_" + id + "_dropped", name + " calls dropped from a full outbox (goal 0)",
        outbox::dropped);
    metrics.counter("chainwatch_" + id + "_refused", name + " calls refused for good (4xx; goal 0)", outbox::refused);
  }

  private void countRemediation() {
    metrics.gauge("chainwatch_remediation_breaker_open", "1 while the blast-radius breaker stops evictions",
        () -> breakerOpen ? 1 : 0);
    io.chainwatch.watcher.health.StageLatencies stages = new io.chainwatch.watcher.health.StageLatencies(metrics);
    vertx.eventBus().<RemediationDecision>localConsumer(BusAddresses.REMEDIATION_DECISIONS, message -> {
      metrics.remediationDecision(message.body().decision().verdict(), message.body().decision().rule().wireName());
      stages.decided(message.body());
    });
    vertx.eventBus().<RemediationOutcome>localConsumer(BusAddresses.REMEDIATION_OUTCOMES, message -> {
      metrics.remediationOutcome(message.body().result().wireName());
      stages.outcome(message.body());
    });
    vertx.eventBus().<BreakerChange>localConsumer(BusAddresses.REMEDIATION_BREAKER, message ->
        breakerOpen = message.body().open());
  }

  /**
   * Starts watching with a single replica's right to write. Returns at once; evaluation begins when every informer
   * has synced.
   *
   * @param findingsOut where finding JSON lines go (stdout in production)
   */
  public static Chainwatch start(ChainwatchConfig config, KubernetesClient client, Clock clock,
      PrintStream findingsOut) {
    if (!config.leaderElection().enabled()) {
      return start(config, client, clock, findingsOut, WritePermit.always());
    }
    LeaderElectionConfig election = config.leaderElection();
    String identity = System.getenv().getOrDefault("HOSTNAME", "chainwatch") + "-"
        + java.util.UUID.randomUUID().toString().substring(0, 6);
    LeaderGate gate = new LeaderGate(client, election.namespace(), election.leaseName(), identity,
        election.leaseDuration(), election.renewDeadline(), election.retryPeriod(), clock);
    Chainwatch chainwatch = start(config, client, clock, findingsOut, gate);
    chainwatch.leaderGate = gate;
    chainwatch.metrics.gauge("chainwatch_leader", "1 while this replica leads (and may write)",
        () -> gate.mayWriteNow() ? 1 : 0);
    gate.start();
    return chainwatch;
  }

  /**
   * Starts watching.
   *
   * @param permit asked right before every remediation write
   */
  public static Chainwatch start(ChainwatchConfig config, KubernetesClient client, Clock clock,
      PrintStream findingsOut, WritePermit permit) {
    Chainwatch chainwatch = new Chainwatch(config, client, clock, findingsOut, permit);
    chainwatch.vertx.setPeriodic(2_000, id -> BlockingWork.onWorker(chainwatch.vertx, () -> {
      chainwatch.watcher.relistAfterOutages();
      return null;
    }));
    chainwatch.watcher.start().whenComplete((ok, failure) -> {
      if (failure != null && chainwatch.closing) {
        LOG.info("Stopped before the informers had synced ({})", failure.toString());
      } else if (failure != null) {
        LOG.error("Informers failed to start", failure);
      } else {
        chainwatch.logDiscovery();
        chainwatch.vertx.setPeriodic(60_000, id -> chainwatch.logDiscovery());
        chainwatch.changesWanted = true;
        chainwatch.evaluator.activate().onSuccess(v -> chainwatch.evaluating = true);
      }
    });
    return chainwatch;
  }

  /** The key that signs repair requests, read at start: a missing or short key stops start-up with exit 2. */
  private static io.chainwatch.remediation.action.RepairSigner repairSigner(ChainwatchConfig config) {
    var repair = config.remediation().rpFilterRepair();
    if (!repair.enabled()) {
      return null;
    }
    String key = io.chainwatch.notifier.SecretFiles.read(repair.keyFile(), "remediation.rpFilterRepair.keyFile");
    try {
      return new io.chainwatch.remediation.action.RepairSigner(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new io.chainwatch.config.ConfigException(List.of("remediation.rpFilterRepair.keyFile: " + e.getMessage()));
    }
  }

  private volatile String lastDiscovery;

  /** Logs where Cilium was found and what its configuration says, once and then on every change. */
  private void logDiscovery() {
    io.chainwatch.watcher.detect.CiliumFacts facts = io.chainwatch.watcher.detect.CiliumFacts.of(state);
    String text = "Cilium: " + state.cilium().describe() + "; " + (facts.chained()
        ? "chained (" + facts.chainingMode() + ")" : "primary CNI") + " from " + facts.chainingSignal()
        + "; agent-not-ready taint " + facts.taintKey() + " from " + facts.taintKeySignal();
    if (!text.equals(lastDiscovery)) {
      lastDiscovery = text;
      if (state.cilium().conflict() != null) {
        LOG.warn(text);
      } else {
        LOG.info(text);
      }
    }
  }

  private static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return future.await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("start-up failed: " + e.getMessage(), e);
    }
  }

  /** The nodes chainwatch judges for Node conditions: those that run a Cilium agent or carry a probe report. */
  private java.util.Collection<io.chainwatch.notifier.condition.NodeConditionBook.Subject> conditionSubjects() {
    List<io.chainwatch.notifier.condition.NodeConditionBook.Subject> subjects = new ArrayList<>();
    for (io.chainwatch.model.NodeSnapshot node : state.nodes()) {
      boolean reports = node.report() != null && node.report().problem() == null;
      if (reports || !state.ciliumAgentsOn(node.name()).isEmpty()) {
        subjects.add(new io.chainwatch.notifier.condition.NodeConditionBook.Subject(node.name(), reports));
      }
    }
    return subjects;
  }

  private List<String> notReadyReasons() {
    List<String> reasons = new ArrayList<>();
    List<String> pending = watcher.notSynced();
    if (!pending.isEmpty()) {
      reasons.add("informers not synced: " + String.join(", ", pending));
    }
    if (!evaluating) {
      reasons.add("evaluation not started");
    }
    List<String> notWatching = watcher.notWatching();
    if (!notWatching.isEmpty() && pending.isEmpty()) {
      reasons.add("informers not watching (reconnecting to the API server): " + String.join(", ", notWatching));
    }
    if (kafka != null) {
      kafka.degraded().ifPresent(reasons::add);
    }
    return reasons;
  }

  private List<String> unhealthyReasons() {
    List<String> stopped = watcher.stopped();
    return stopped.isEmpty() ? List.of() : List.of("informers stopped: " + String.join(", ", stopped));
  }

  /** Whether this replica may write now: always without leader election, else while it holds the lease. */
  public boolean leading() {
    return leaderGate == null || leaderGate.mayWriteNow();
  }

  public boolean ready() {
    return notReadyReasons().isEmpty();
  }

  public ClusterView view() {
    return state;
  }

  public Vertx vertx() {
    return vertx;
  }

  public WatcherMetrics metrics() {
    return metrics;
  }

  public int httpPort() {
    return health.actualPort();
  }

  /** Cluster changes the evaluator has processed since start. */
  public long changesProcessed() {
    return gate.processed();
  }

  /** Cluster changes dropped because the evaluator was behind (goal 0). */
  public long changesDropped() {
    return gate.dropped();
  }

  /** The findings open right now. */
  public List<Finding> openFindings() {
    return await(evaluator.openFindings());
  }

  @Override
  public void close() {
    closing = true;
    if (leaderGate != null) {
      leaderGate.close(); // first: give up the lease, so another replica takes over at once and this one writes no more
    }
    if (slackActions != null) {
      slackActions.close(); // no more clicks: nothing here will act on them
    }
    watcher.close();
    watchClient.close();
    evictor.close();
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Vert.x did not close cleanly: {}", e.toString());
    }
    metrics.close();
    // after the bus stopped: what is queued is flushed (Kafka keeps the rest in its spool for the next run)
    if (slack != null) {
      slack.close(java.time.Duration.ofSeconds(5));
    }
    if (kafka != null) {
      kafka.close(java.time.Duration.ofSeconds(5));
    }
    if (pagerDuty != null) {
      pagerDuty.close();
    }
    if (opsgenie != null) {
      opsgenie.close();
    }
    if (events != null) {
      events.close();
    }
  }
}
