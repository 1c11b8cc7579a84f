package io.chainwatch.demo;

import io.chainwatch.bus.BusAddresses;
import io.chainwatch.config.ChainwatchConfig;
import io.chainwatch.model.Finding;
import io.chainwatch.model.Decision;
import io.chainwatch.model.FindingCleared;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.RemediationDecision;
import io.chainwatch.model.RemediationOutcome;
import io.chainwatch.watcher.Chainwatch;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.chainwatch.testkit.EmbeddedKafka;
import io.chainwatch.testkit.LocalSlackServer;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * The embedded demo: an in-process mock API server plays the CNI-chain race on a small simulated cluster while the
 * real {@code run} pipeline watches it, and a readable timeline shows what happened and what chainwatch found.
 */
public final class DemoMain {
  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private static final String NODE = "10.0.0.11";
  /** The base CNI's configuration on the race node (assembled for the demo, in TKE GlobalRouter's shape). */
  private static final String BASE_CNI = "{\"cniVersion\":\"0.3.1\",\"name\":\"generic-veth\",\"plugins\":["
      + "{\"type\":\"tke-bridge\",\"bridge\":\"cbr0\"},{\"type\":\"portmap\",\"capabilities\":"
      + "{\"portMappings\":true}}]}";
  /** The same chain once cilium-agent appended itself (generic-veth chaining). */
  private static final String CHAINED_CNI = "{\"cniVersion\":\"0.3.1\",\"name\":\"generic-veth\",\"plugins\":["
      + "{\"type\":\"tke-bridge\",\"bridge\":\"cbr0\"},{\"type\":\"portmap\",\"capabilities\":"
      + "{\"portMappings\":true}},{\"type\":\"cilium-cni\",\"chaining-mode\":\"generic-veth\"}]}";
  private static final String SETTLED_NODE = "10.0.0.12";
  private static final String RESET_NODE = "10.0.0.13";
  private static final String BLIND_NODE = "10.0.0.14";

  /** Held so the level sticks: the mock server logs every request through java.util.logging. */
  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private DemoMain() {}

  static final String USAGE = """
      Usage: java -jar chainwatch-demo.jar [--follow] [--metrics-port=PORT] [--help] [--version]
      Plays the CNI-chain race and two rp_filter resets against chainwatch's real pipeline, in this process (a mock
      Kubernetes API server, a Kafka broker, a local Slack endpoint), prints the timeline and exits (0: every
      expectation met, 1: not).
        --follow             keep running after the scenario (Ctrl-C stops): scrape /metrics, read the audit topic
        --metrics-port=PORT  serve /metrics, /healthz and /readyz on PORT (default: a free port, printed at start)
        --help               print this and exit
        --version            print the version and exit
      """;

  public static void main(String[] args) throws Exception {
    io.chainwatch.watcher.logging.Logging.configure("warn", io.chainwatch.watcher.logging.Logging.Format.PLAIN,
        "error");
    System.exit(run(List.of(args), System.out));
  }

  /**
   * Runs the demo.
   *
   * @param args {@code --follow} keeps it running after the scenario
   * @return 0 when chainwatch found exactly the race pods and settled each as expected (restart verified, or page),
   *     1 otherwise
   */
  public static int run(List<String> args, PrintStream out) throws Exception {
    String metricsPort = "0";
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        out.print(USAGE);
        return 0;
      } else if (arg.equals("--version") || arg.equals("-V")) {
        out.println(io.chainwatch.watcher.logging.BuildInfo.current().line("chainwatch-demo"));
        return 0;
      } else if (arg.startsWith("--metrics-port=") && arg.substring(15).matches("[0-9]{1,5}")
          && Integer.parseInt(arg.substring(15)) <= 65535) {
        metricsPort = arg.substring(15);
      } else if (!arg.equals("--follow")) {
        System.err.println("chainwatch-demo: unknown argument \"" + arg + "\" (--metrics-port takes 0 to 65535)\n"
            + USAGE);
        return 2;
      }
    }
    boolean follow = args.contains("--follow");
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    Timeline timeline = new Timeline(out);
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
        new EvictionSubresource(new KubernetesMixedDispatcher(responses)), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    Path state = Files.createTempDirectory("chainwatch-demo");
    timeline.line("Starting a Kafka broker (KRaft) and a local Slack endpoint in this process ...");
    try (KubernetesClient client = server.createClient();
        EmbeddedKafka kafka = EmbeddedKafka.start(state.resolve("kafka"));
        LocalSlackServer slack = LocalSlackServer.start();
        AuditPrinter audit = new AuditPrinter(kafka.bootstrapServers(), timeline)) {
      kafka.createTopics("chainwatch.audit", "chainwatch.pages");
      Files.writeString(state.resolve("slack-token"), "xoxb-demo-token");
      Files.writeString(state.resolve("slack-app-token"), "xapp-1-A0DEMO-1-demo");
      slack.userGroup("S0NETONCALL", "U0ALICE", "U0BOB");
      // the Secret that only chainwatch and the probes mount: probes write only what this key signed
      Files.writeString(state.resolve("repair-key"), java.util.UUID.randomUUID() + "-" + java.util.UUID.randomUUID());
      slack.onMessage(message -> timeline.say("SLACK", (message.threadTs == null
          ? (message.edits == 0 ? "root message posted: " : "root message edited: ")
          : "thread reply: ") + message.text));
      Map<String, String> channels = new HashMap<>(Map.of(
          "CHAINWATCH_SLACK_APP_TOKEN_FILE", state.resolve("slack-app-token").toString(),
          "CHAINWATCH_SLACK_ACTIONS_GROUP", "S0NETONCALL"));
      channels.putAll(Map.of(
          "CHAINWATCH_STATE_DIR", state.resolve("state").toString(),
          "CHAINWATCH_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
          "CHAINWATCH_SLACK_TOKEN_FILE", state.resolve("slack-token").toString(),
          "CHAINWATCH_SLACK_CHANNEL", "#network-oncall",
          "CHAINWATCH_SLACK_ONCALL_GROUP", "S0NETONCALL",
          "CHAINWATCH_SLACK_API_URL", slack.apiUrl(),
          "CHAINWATCH_REMEDIATION_RP_FILTER_REPAIR_KEY_FILE", state.resolve("repair-key").toString()));
      channels.put("CHAINWATCH_HTTP_PORT", metricsPort);
      int exit = play(client, timeline, follow, channels, slack, () -> awaitQuiet(slack));
      audit.awaitQuiet();
      timeline.line("");
      timeline.line("Audit log (Kafka topic chainwatch.audit, CloudEvents): " + audit.summary());
      timeline.line("Slack (#network-oncall): " + slack.roots().size() + " root message(s); the last version of"
          + " the first one:");
      if (!slack.roots().isEmpty()) {
        SlackPreview.text(slack.roots().get(0).blocks).forEach(line -> timeline.line("    " + line));
        SlackPreview.png(slack.roots().get(0).blocks, state.resolve("slack-message.png"));
        timeline.line("  rendered to " + state.resolve("slack-message.png"));
      }
      return exit;
    } finally {
      server.destroy();
    }
  }

  /** Waits until Slack saw no call for three seconds (at most a minute): chainwatch paces its messages. */
  private static void awaitQuiet(LocalSlackServer slack) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    int seen = -1;
    long quietSince = System.nanoTime();
    while (System.nanoTime() < deadline && System.nanoTime() - quietSince < Duration.ofSeconds(3).toNanos()) {
      int calls = slack.calls().size();
      if (calls != seen) {
        seen = calls;
        quietSince = System.nanoTime();
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
  }

  private static int play(KubernetesClient client, Timeline timeline, boolean follow, Map<String, String> channels,
      LocalSlackServer slack, Runnable awaitChannels) throws Exception {
    timeline.line("chainwatch demo: a node joins a Cilium-chained cluster; pods the kubelet starts before"
        + " cilium-agent is Ready miss the chain.");
    timeline.line("The API server is fabric8's mock, in process; chainwatch runs its real pipeline against it,"
        + " in remediation mode enforce.\n");
    Map<String, String> env = new HashMap<>(channels);
    env.putAll(Map.of(
        "CHAINWATCH_CLUSTER_NAME", "demo",
        "CHAINWATCH_REMEDIATION_MODE", "enforce",
        // shortened from the defaults so the demo takes seconds
        "CHAINWATCH_DETECTORS_MISSED_CILIUM_CHAIN_MIN_POD_AGE", "PT3S",
        "CHAINWATCH_DETECTORS_MISSED_CILIUM_CHAIN_AGENT_SETTLE", "PT3S",
        "CHAINWATCH_REMEDIATION_OWNER_COOLDOWN", "PT1S",
        "CHAINWATCH_REMEDIATION_VERIFY_TIMEOUT", "PT30S",
        "CHAINWATCH_REMEDIATION_BUDGET_RETRIES", "1",
        "CHAINWATCH_REMEDIATION_BUDGET_BACKOFF", "PT2S",
        "CHAINWATCH_NODE_CONDITIONS_SETTLE", "PT2S"));
    env.put("CHAINWATCH_REMEDIATION_RP_FILTER_REPAIR_ENABLED", "true");
    // host repairs wait for a person's approval in Slack; evictions run on their own (enforce)
    env.put("CHAINWATCH_REMEDIATION_DETECTOR_MODES", "rp-filter-reset=approve");
    ChainwatchConfig config = io.chainwatch.watcher.Configuration.load(null, env);
    SimulatedCluster cluster = new SimulatedCluster(client, timeline);

    cluster.nodeJoins(SETTLED_NODE, true);
    cluster.agentReady(SETTLED_NODE);
    cluster.startPod("shop", "cart-6c8d9f7b5-r2d2x", SETTLED_NODE, "ReplicaSet", "cart-6c8d9f7b5", true);
    cluster.budget("shop", "pay-pdb", "pay", 0);

    SimulatedHosts hosts = new SimulatedHosts(client, timeline, io.chainwatch.probe.RepairSignature.fromFile(
        Path.of(channels.get("CHAINWATCH_REMEDIATION_RP_FILTER_REPAIR_KEY_FILE"))));
    hosts.overlayCiliumConfig();
    Map<String, Finding> hostFindings = new ConcurrentHashMap<>();
    Map<String, Finding> doctor = new ConcurrentHashMap<>();
    CountDownLatch hostsJudged = new CountDownLatch(3);
    Map<String, Finding> found = new ConcurrentHashMap<>();
    Map<String, String> remediated = new ConcurrentHashMap<>();
    Map<String, String> repairs = new ConcurrentHashMap<>();
    CountDownLatch repairsSettled = new CountDownLatch(2);
    CountDownLatch settled = new CountDownLatch(1);
    Set<String> chainFindings = ConcurrentHashMap.newKeySet();
    Set<String> restarted = Set.of("shop/web-7d9c6b5f4-x2k8p", "shop/web-7d9c6b5f4-q9z7m");
    String blocked = "shop/pay-5c6d7e8f9-t7k2m";
    String bare = "shop/report-28190-kq2z1";
    Set<String> fullChain = Set.of("shop/api-5f6d7c8b9-h4k2j", "shop/api-5f6d7c8b9-p8m3n");
    Runnable checkSettled = () -> {
      if (restarted.stream().allMatch(pod -> remediated.getOrDefault(pod, "").startsWith("verified"))
          && remediated.getOrDefault(blocked, "").startsWith("paged") && found.containsKey(bare)) {
        settled.countDown();
      }
    };
    io.fabric8.kubernetes.client.Watch controllers = cluster.replicaSetsRecreateDeletedPods();
    Map<String, List<String>> conditions = new java.util.TreeMap<>();
    var kubeProxyFound = new java.util.concurrent.atomic.AtomicReference<Finding>();
    io.fabric8.kubernetes.client.Watch conditionWatch = cluster.watchNodeConditions(conditions);
    Chainwatch chainwatch = Chainwatch.start(config, client, Clock.systemUTC(),
        new PrintStream(OutputStream.nullOutputStream()));
    timeline.line("Metrics, health and readiness: http://127.0.0.1:" + chainwatch.httpPort() + "/metrics "
        + "(/healthz, /readyz)\n");
    try {
      var bus = chainwatch.vertx().eventBus();
      bus.<Finding>localConsumer(BusAddresses.FINDINGS, message -> {
        Finding finding = message.body();
        if (finding.detectorId().equals("missed-cilium-chain")
            || finding.detectorId().equals("missing-agent-not-ready-taint")) {
          chainFindings.add(finding.dedupKey());
        }
        if (finding.detectorId().equals("kube-proxy-with-replacement")) {
          kubeProxyFound.set(finding);
        } else if (finding.detectorId().equals("missing-agent-not-ready-taint")) {
          doctor.put(finding.node(), finding);
        } else if (finding.resource().kind().equals("Node")) {
          if (hostFindings.put(finding.detectorId() + "@" + finding.node(), finding) == null) {
            hostsJudged.countDown();
          }
        } else {
          found.put(key(finding), finding);
        }
        timeline.say("FINDING", finding.severity().wireName() + ", action " + finding.action().wireName() + ": "
            + finding.summary());
        checkSettled.run();
      });
      bus.<io.chainwatch.model.ApprovalChange>localConsumer(BusAddresses.REMEDIATION_APPROVALS, message -> {
        io.chainwatch.model.ApprovalChange approval = message.body();
        timeline.say("APPROVAL", approval.state().wireName() + ": " + approval.detail());
        if (approval.state() == io.chainwatch.model.ApprovalChange.State.ASKED) {
          // Alice, on call, reads the question on the incident's Slack message and clicks Approve
          clickWhenShown(slack, timeline, approval.approvalId(), "U0ALICE", "alice",
              io.chainwatch.notifier.slack.SlackActions.APPROVE, "Approve");
        }
      });
      bus.<io.chainwatch.model.PersonAction>localConsumer(BusAddresses.PERSON_ACTIONS, message ->
          timeline.say("CLICK", message.body().userName() + " clicked " + message.body().kind().wireName()
              + (message.body().allowed() ? "" : " (not in the on-call group: refused)")));
      bus.<FindingCleared>localConsumer(BusAddresses.FINDINGS_CLEARED, message ->
          timeline.say("cleared", message.body().finding().resource().key() + " no longer holds"));
      bus.<RemediationDecision>localConsumer(BusAddresses.REMEDIATION_DECISIONS, message -> {
        RemediationDecision decided = message.body();
        Decision decision = decided.decision();
        timeline.say("DECISION", key(decided.finding()) + ": " + decision.verdict() + " ("
            + decision.rule().wireName() + ") " + decision.why());
        if (decision instanceof Decision.Page) {
          if (decided.finding().action() == PlannedAction.REPAIR) {
            if (repairs.putIfAbsent(decided.finding().resource().name(), "paged: " + decision.why()) == null) {
              repairsSettled.countDown();
            }
          }
          remediated.put(key(decided.finding()), "paged: " + decision.why());
          checkSettled.run();
        }
      });
      bus.<RemediationOutcome>localConsumer(BusAddresses.REMEDIATION_OUTCOMES, message -> {
        RemediationOutcome outcome = message.body();
        timeline.say("OUTCOME", outcome.result().wireName() + ": " + outcome.detail());
        if (outcome.finding().action() == PlannedAction.REPAIR) {
          if (outcome.result() != RemediationOutcome.Result.REPAIR_REQUESTED
              && repairs.putIfAbsent(outcome.finding().resource().name(), outcome.result().wireName() + ": "
                  + outcome.detail()) == null) {
            repairsSettled.countDown();
          }
        } else if (outcome.result() == RemediationOutcome.Result.VERIFIED) {
          remediated.put(key(outcome.finding()), "verified: " + outcome.evidence().get("replacement")
              + " replaced it and has its CiliumEndpoint");
          checkSettled.run();
        }
      });

      cluster.nodeJoins(NODE, false);
      java.nio.file.Path cniDir = java.nio.file.Files.createTempDirectory("chainwatch-demo-cni");
      java.nio.file.Files.writeString(cniDir.resolve("10-tke-bridge.conflist"), BASE_CNI);
      hosts.probeOn(NODE, cniDir);
      timeline.say("base CNI", "tke-bridge-agent wrote its CNI config on " + NODE
          + ": the kubelet sees the network ready and starts pods at once");
      timeline.say("probe", NODE + ": the runtime's CNI configuration is 10-tke-bridge.conflist: tke-bridge → "
          + "portmap, no cilium-cni");
      cluster.startPod("shop", "web-7d9c6b5f4-x2k8p", NODE, "ReplicaSet", "web-7d9c6b5f4", false);
      cluster.startPod("shop", "web-7d9c6b5f4-q9z7m", NODE, "ReplicaSet", "web-7d9c6b5f4", false);
      cluster.startPod("shop", "pay-5c6d7e8f9-t7k2m", NODE, "ReplicaSet", "pay-5c6d7e8f9", false);
      cluster.startPod("shop", "report-28190-kq2z1", NODE, "Job", "report-28190", false);
      Thread.sleep(1500); // the window in which the node runs without Cilium in its chain
      cluster.agentReady(NODE);
      java.nio.file.Files.writeString(cniDir.resolve("05-cilium.conflist"), CHAINED_CNI);
      hosts.reportNow(NODE);
      timeline.say("probe", NODE + ": cilium-agent appended itself: the runtime now uses 05-cilium.conflist "
          + "(tke-bridge → portmap → cilium-cni); the probe reports when that file appeared");
      Thread.sleep(500);
      cluster.startPod("shop", "api-5f6d7c8b9-h4k2j", NODE, "ReplicaSet", "api-5f6d7c8b9", true);
      cluster.startPod("shop", "api-5f6d7c8b9-p8m3n", NODE, "ReplicaSet", "api-5f6d7c8b9", true);
      timeline.say("chainwatch", "watching; a pod counts once it has run 3 s and its node's agent has been"
          + " Ready 3 s (30 s each by default)");

      boolean done = settled.await(DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);

      timeline.line("");
      timeline.line("Host facts: two more nodes, each with the chainwatch probe (the real probe code) reporting;"
          + " rp_filter repair is on, and " + BLIND_NODE + " opted out of it.");
      hosts.nodeWithProbe(RESET_NODE, false);
      hosts.nodeWithProbe(BLIND_NODE, true);
      java.util.concurrent.ScheduledExecutorService probes = hosts.probeEverySecond();
      hosts.sysctlRestart(RESET_NODE);
      hosts.sysctlRestart(BLIND_NODE);
      hosts.healthEndpointUnreachable(BLIND_NODE);
      boolean hostsDone = hostsJudged.await(30, java.util.concurrent.TimeUnit.SECONDS);
      boolean repairsDone = repairsSettled.await(60, java.util.concurrent.TimeUnit.SECONDS);
      // Bob silences the opted-out node's incident for 4 h: he is on it; it reaches nobody until it gets worse
      boolean silenced = clickWhenShown(slack, timeline, BLIND_NODE, "U0BOB", "bob",
          io.chainwatch.notifier.slack.SlackActions.SILENCE_PREFIX + "4h", "Silence 4 h").get(30,
              java.util.concurrent.TimeUnit.SECONDS);
      // the repaired node's condition goes back to True once its probe reports the repair and the finding clears
      String repairedCondition = RESET_NODE + "/RpFilterHealthy";
      awaitUpTo(Duration.ofSeconds(30),
          () -> conditionHistory(conditions, repairedCondition).endsWith("True (NoProblemFound)"));
      probes.shutdownNow();

      timeline.line("");
      timeline.line("kube-proxy left behind: cilium-config replaces kube-proxy, but its DaemonSet still runs a pod.");
      cluster.kubeProxyOn(SETTLED_NODE);
      awaitUpTo(Duration.ofSeconds(20), () -> kubeProxyFound.get() != null);

      timeline.line("");
      timeline.line("A Cilium upgrade: every agent pod is replaced; the pods on the nodes kept their endpoints.");
      Set<String> beforeUpgrade = Set.copyOf(chainFindings);
      cluster.agentUpgraded(SETTLED_NODE, "quay.io/cilium/cilium:v1.18.4");
      cluster.agentUpgraded(NODE, "quay.io/cilium/cilium:v1.18.4");
      Thread.sleep(8000); // past the agents' settle time (3 s here), a pod's age (3 s) and a sweep's deadlines
      List<String> pagedForUpgrade = chainFindings.stream().filter(k -> !beforeUpgrade.contains(k)).sorted().toList();
      List<String> wronglyReported = fullChain.stream().filter(found::containsKey).sorted().toList();
      // Slack edits are paced (about one call a second): on a loaded machine the silenced root can still be queued
      // behind the thread replies of the storm above, so its edit is awaited, not assumed
      boolean silenceShown = silenced && awaitUpTo(Duration.ofSeconds(30), () -> slack.roots().stream()
          .anyMatch(m -> m.blocks.encode().contains("Silenced by <@U0BOB>")));
      timeline.line("");
      timeline.line("Result:");
      for (String pod : restarted.stream().sorted().toList()) {
        timeline.line("  " + pod + ": " + describe(found.get(pod), remediated.get(pod)));
      }
      timeline.line("  " + blocked + ": " + describe(found.get(blocked), remediated.get(blocked)));
      timeline.line("  " + bare + ": " + describe(found.get(bare), "paged: a Job does not recreate evicted pods"));
      for (String pod : fullChain.stream().sorted().toList()) {
        timeline.line("  " + pod + ": " + (found.containsKey(pod) ? "REPORTED (wrong)"
            : "not reported: it started through the full chain and has its CiliumEndpoint"));
      }
      for (String expected : List.of("rp-filter-reset@" + RESET_NODE, "rp-filter-reset@" + BLIND_NODE,
          "cilium-health-local-endpoint@" + BLIND_NODE)) {
        Finding finding = hostFindings.get(expected);
        timeline.line("  " + expected + ": " + (finding == null ? "NOT FOUND"
            : "found, " + finding.severity().wireName() + ", action " + finding.action().wireName()
                + (finding.evidence().containsKey("troubleshootingBranch")
                    ? ", branch " + finding.evidence().get("troubleshootingBranch") : "")));
      }
      timeline.line("  rp_filter repair on " + RESET_NODE + ": " + repairs.getOrDefault(RESET_NODE, "NOT SETTLED"));
      timeline.line("  rp_filter repair on " + BLIND_NODE + ": " + repairs.getOrDefault(BLIND_NODE, "NOT SETTLED"));
      timeline.line("  silence of " + BLIND_NODE + "'s incident by bob: " + (silenced && silenceShown
          ? "on its Slack message (Silenced by <@U0BOB> until ...)" : "NOT SHOWN"));
      Finding kubeProxy = kubeProxyFound.get();
      timeline.line("  kube-proxy-with-replacement: " + (kubeProxy == null ? "NOT FOUND"
          : "found, " + kubeProxy.severity().wireName() + ", action " + kubeProxy.action().wireName()));
      timeline.line("  Node condition " + repairedCondition + ": " + conditionHistory(conditions, repairedCondition));
      timeline.line("  Node condition " + BLIND_NODE + "/RpFilterHealthy: "
          + conditionHistory(conditions, BLIND_NODE + "/RpFilterHealthy"));
      Finding cause = doctor.get(NODE);
      timeline.line("  deployment doctor on " + NODE + ": " + (cause == null ? "NOT FOUND"
          : cause.detectorId() + ", " + cause.severity().wireName() + ": " + cause.summary()));
      timeline.line("  Cilium upgrade on " + SETTLED_NODE + " and " + NODE + ": " + (pagedForUpgrade.isEmpty()
          ? "nothing new reported (an agent restart with endpoints intact is not evidence of the race)"
          : "REPORTED (wrong): " + pagedForUpgrade));
      boolean conditionsRight = conditionHistory(conditions, repairedCondition)
          .matches(".*False \\(CiliumInterfacesFiltered\\).*True \\(NoProblemFound\\)")
          && conditionHistory(conditions, BLIND_NODE + "/RpFilterHealthy").startsWith("False");
      boolean passed = done && hostsDone && repairsDone && wronglyReported.isEmpty() && hostFindings.size() == 3
          && kubeProxy != null && conditionsRight
          && pagedForUpgrade.isEmpty()
          && cause != null && repairs.getOrDefault(RESET_NODE, "").startsWith("verified")
          && repairs.getOrDefault(BLIND_NODE, "").startsWith("paged") && silenced && silenceShown;
      timeline.line(passed ? "chainwatch found every pod that missed the chain, restarted the ones it safely could,"
          + " verified their replacements, and paged for the rest; it found both broken hosts from their probes'"
          + " reports, had one repaired by its probe, and paged for the one that opted out."
          : "chainwatch did not settle every race pod as expected: see above.");
      timeline.line("Letting the notifiers finish (Slack is paced at one call per second) ...");
      awaitChannels.run();
      if (follow) {
        timeline.line("--follow: still watching; press Ctrl-C to stop.");
        new CountDownLatch(1).await();
      }
      return passed ? 0 : 1;
    } finally {
      controllers.close();
      conditionWatch.close();
      chainwatch.close();
    }
  }

  /**
   * A person clicks a button once the Slack message that shows it is there (chainwatch paces Slack at one call a
   * second): the first root message whose blocks contain {@code marker} and a button {@code actionId}. Completes
   * with whether it was clicked within 30 s.
   */
  private static java.util.concurrent.CompletableFuture<Boolean> clickWhenShown(LocalSlackServer slack,
      Timeline timeline, String marker, String user, String name, String actionId, String label) {
    return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        for (LocalSlackServer.Message root : slack.roots()) {
          for (Object block : root.blocks) {
            io.vertx.core.json.JsonObject actions = (io.vertx.core.json.JsonObject) block;
            if (!"actions".equals(actions.getString("type"))) {
              continue;
            }
            for (Object element : actions.getJsonArray("elements")) {
              io.vertx.core.json.JsonObject button = (io.vertx.core.json.JsonObject) element;
              if (actionId.equals(button.getString("action_id")) && root.blocks.encode().contains(marker)) {
                timeline.say("slack", name + " clicks \"" + label + "\" on the message \"" + root.text + "\"");
                slack.click(user, name, root, actionId, button.getString("value"));
                return true;
              }
            }
          }
        }
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
      }
      return false;
    });
  }

  /** Polls {@code done} every 200 ms until it holds or {@code timeout} passes; returns whether it held. */
  private static boolean awaitUpTo(Duration timeout, java.util.function.BooleanSupplier done)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      Thread.sleep(200);
    }
    return true;
  }

  private static String conditionHistory(Map<String, List<String>> conditions, String key) {
    synchronized (conditions) {
      List<String> seen = conditions.get(key);
      return seen == null ? "NOT SET" : String.join(" → ", seen);
    }
  }

  private static String key(Finding finding) {
    return finding.resource().namespace() == null ? finding.resource().key()
        : finding.resource().namespace() + "/" + finding.resource().name();
  }

  private static String describe(Finding finding, String remediation) {
    if (finding == null) {
      return "NOT FOUND";
    }
    return "found, missed the chain, planned action " + finding.action().wireName()
        + (remediation == null ? "; NOT REMEDIATED" : "; " + remediation);
  }
}
