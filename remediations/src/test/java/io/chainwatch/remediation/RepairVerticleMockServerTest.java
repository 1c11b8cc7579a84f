package io.chainwatch.remediation;

import static io.chainwatch.remediation.Fixtures.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chainwatch.bus.BusAddresses;
import io.chainwatch.bus.BusCodecs;
import io.chainwatch.config.RemediationConfig;
import io.chainwatch.model.Decision;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingCleared;
import io.chainwatch.model.NodeReport;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.RemediationDecision;
import io.chainwatch.model.RemediationOutcome;
import io.chainwatch.model.RemediationOutcome.Result;
import io.chainwatch.model.RemediationRule;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.remediation.action.EvictPodRemediation;
import io.chainwatch.remediation.action.NodeRepairRequester;
import io.chainwatch.remediation.action.RepairRequestCodec;
import io.chainwatch.remediation.action.RemediationStateStore;
import io.chainwatch.remediation.policy.RemediationPolicy;
import io.chainwatch.remediation.policy.RepairRequest;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The opt-in rp_filter repair through the real verticle and fabric8 client against the mock API server. */
@EnableKubernetesMockClient(crud = true, https = false)
class RepairVerticleMockServerTest {
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  private static final Map<String, Integer> FILTERED = Map.of("all", 0, "eth0", 1, "lxc1a2b", 1, "lxc3c4d", 0);

  KubernetesMockServer server;
  KubernetesClient client;

  private Vertx vertx;
  private MutableClock clock;
  private InMemoryRemediationView view;
  private EvictPodRemediation evictor;
  private final List<RemediationDecision> decisions = new CopyOnWriteArrayList<>();
  private final List<RemediationOutcome> outcomes = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    client.getConfiguration().setRequestRetryBackoffLimit(0);
    vertx = Vertx.vertx();
    BusCodecs.registerAll(vertx.eventBus());
    vertx.eventBus().<RemediationDecision>localConsumer(BusAddresses.REMEDIATION_DECISIONS,
        message -> decisions.add(message.body()));
    vertx.eventBus().<RemediationOutcome>localConsumer(BusAddresses.REMEDIATION_OUTCOMES,
        message -> outcomes.add(message.body()));
    clock = new MutableClock(Fixtures.T0.plus(Duration.ofHours(1)));
    view = new InMemoryRemediationView();
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().build()).create();
    view.add(node(FILTERED, null, Map.of()));
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    if (evictor != null) {
      evictor.close();
    }
  }

  private NodeSnapshot node(Map<String, Integer> rpFilter, NodeReport.RepairAnswer answer,
      Map<String, String> annotations) {
    return new NodeSnapshot("n1", Fixtures.T0, true, Map.of(), List.of(), annotations,
        new NodeReport(clock.instant(), "eth0", rpFilter, null, null, null, answer));
  }

  private void deploy(RemediationConfig config, WritePermit permit) {
    evictor = new EvictPodRemediation(client, config.requestTimeout());
    RemediationVerticle verticle = new RemediationVerticle(new RemediationPolicy(config), view, evictor,
        new NodeRepairRequester(client, config.requestTimeout(), new io.chainwatch.remediation.action.RepairSigner("k".repeat(40).getBytes(java.nio.charset.StandardCharsets.UTF_8))),
        new RemediationStateStore(client, "chainwatch", "state"), permit, clock);
    vertx.deployVerticle(verticle).await();
    await().atMost(Duration.ofSeconds(5)).until(() -> verticle.stateLoaded().await(5, TimeUnit.SECONDS));
  }

  private static RemediationConfig repairOn(String... more) {
    String[] env = new String[more.length + 4];
    env[0] = "CHAINWATCH_REMEDIATION_RP_FILTER_REPAIR_ENABLED";
    env[1] = "true";
    env[2] = "CHAINWATCH_REMEDIATION_RP_FILTER_REPAIR_KEY_FILE";
    env[3] = "/var/run/secrets/chainwatch/repair/key";
    System.arraycopy(more, 0, env, 4, more.length);
    return config(env);
  }

  private static Finding finding() {
    return new Finding("rp-filter-reset", ResourceRef.node("n1"), "n1", Severity.CRITICAL, PlannedAction.REPAIR,
        "cilium-interfaces-filtered", "rp_filter is 1 on lxc1a2b", Fixtures.T0, Map.of("routingMode", "tunnel"));
  }

  private RepairRequest requestOnTheNode() {
    String text = client.nodes().withName("n1").get().getMetadata().getAnnotations().get(RepairRequest.ANNOTATION);
    return text == null ? null : RepairRequestCodec.decode(text);
  }

  private List<Result> results() {
    return outcomes.stream().map(RemediationOutcome::result).toList();
  }

  @Test
  void writesTheRequestOnTheNodeAndVerifiesWhenTheReportIsRightAgain() {
    deploy(repairOn(), WritePermit.always());

    vertx.eventBus().publish(BusAddresses.FINDINGS, finding(), LOCAL);

    await().atMost(Duration.ofSeconds(5)).until(() -> results().contains(Result.REPAIR_REQUESTED));
    RepairRequest request = requestOnTheNode();
    assertThat(request.values()).as("only the filtered lxc; all is already 0")
        .containsExactlyEntriesOf(Map.of("lxc1a2b", 0));
    assertThat(request.attempts()).containsExactly(clock.instant());
    assertThat(request.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
    assertThat(decisions).extracting(d -> d.decision().verdict()).containsExactly("repair");
    String written = client.nodes().withName("n1").get().getMetadata().getAnnotations()
        .get(RepairRequest.ANNOTATION);
    assertThat(new io.vertx.core.json.JsonObject(written).getString("signature")).as("signed for n1")
        .isEqualTo(new io.chainwatch.remediation.action.RepairSigner("k".repeat(40)
            .getBytes(java.nio.charset.StandardCharsets.UTF_8)).sign("n1", request));

    // what the probe then does: writes, and its report answers the request with the values back at 0
    view.add(node(Map.of("all", 0, "eth0", 1, "lxc1a2b", 0, "lxc3c4d", 0),
        new NodeReport.RepairAnswer(request.id(), clock.instant(), Map.of("lxc1a2b", 0), Map.of(), null),
        Map.of(RepairRequest.ANNOTATION, RepairRequestCodec.encode(request))));
    vertx.eventBus().publish(BusAddresses.FINDINGS_CLEARED, new FindingCleared(finding(), clock.instant()), LOCAL);

    await().atMost(Duration.ofSeconds(5)).until(() -> results().contains(Result.VERIFIED));
    RemediationOutcome verified = outcomes.get(outcomes.size() - 1);
    assertThat(verified.evidence()).containsEntry("requestId", request.id()).containsEntry("written",
        Map.of("lxc1a2b", 0));
  }

  @Test
  void theSameFindingAgainWaitsForTheRequestInFlightInsteadOfWritingTwice() {
    deploy(repairOn(), WritePermit.always());
    vertx.eventBus().publish(BusAddresses.FINDINGS, finding(), LOCAL);
    await().atMost(Duration.ofSeconds(5)).until(() -> results().contains(Result.REPAIR_REQUESTED));
    String first = requestOnTheNode().id();

    // the report moved (another lxc filtered) before the view saw chainwatch's own annotation
    Finding changed = new Finding("rp-filter-reset", ResourceRef.node("n1"), "n1", Severity.CRITICAL,
        PlannedAction.REPAIR, "cilium-interfaces-filtered", "rp_filter is 1 on two", clock.instant(),
        Map.of("routingMode", "tunnel", "filteredInterfaces", 2));
    vertx.eventBus().publish(BusAddresses.FINDINGS, changed, LOCAL);

    await().atMost(Duration.ofSeconds(5)).until(() -> decisions.size() == 2);
    Decision second = decisions.get(1).decision();
    assertThat(second).isInstanceOf(Decision.Wait.class);
    assertThat(second.rule()).isEqualTo(RemediationRule.NODE_COOLDOWN);
    assertThat(requestOnTheNode().id()).isEqualTo(first);
  }

  @Test
  void noAnswerWithinTheVerifyTimeoutPagesThatTheProbeDidNotAnswer() {
    deploy(repairOn(), WritePermit.always());
    vertx.eventBus().publish(BusAddresses.FINDINGS, finding(), LOCAL);
    await().atMost(Duration.ofSeconds(5)).until(() -> results().contains(Result.REPAIR_REQUESTED));

    clock.advance(Duration.ofMinutes(3));

    await().atMost(Duration.ofSeconds(5)).until(() -> results().contains(Result.NOT_HELPED));
    RemediationOutcome outcome = outcomes.get(outcomes.size() - 1);
    assertThat(outcome.needsPerson()).isTrue();
    assertThat(outcome.detail()).contains("did not answer", "rpFilterRepair.enabled");
  }

  @Test
  void aProbeThatRefusesOrCannotWriteMakesItAFailureThatPages() {
    deploy(repairOn(), WritePermit.always());
    vertx.eventBus().publish(BusAddresses.FINDINGS, finding(), LOCAL);
    await().atMost(Duration.ofSeconds(5)).until(() -> results().contains(Result.REPAIR_REQUESTED));
    RepairRequest request = requestOnTheNode();

    view.add(node(FILTERED, new NodeReport.RepairAnswer(request.id(), clock.instant(), Map.of(),
        Map.of("lxc1a2b", "cannot write /proc/sys/net/ipv4/conf/lxc1a2b/rp_filter: Read-only file system"), null),
        Map.of()));

    await().atMost(Duration.ofSeconds(5)).until(() -> results().contains(Result.FAILED));
    assertThat(outcomes.get(outcomes.size() - 1).detail()).contains("Read-only file system");
  }

  @Test
  void dryRunReportsWhatItWouldAskAndWritesNothing() {
    deploy(repairOn("CHAINWATCH_REMEDIATION_MODE", "dry-run"), WritePermit.always());

    vertx.eventBus().publish(BusAddresses.FINDINGS, finding(), LOCAL);

    await().atMost(Duration.ofSeconds(5)).until(() -> results().contains(Result.WOULD_REPAIR));
    assertThat(outcomes.get(0).detail()).contains("dry-run", "lxc1a2b=0");
    assertThat(requestOnTheNode()).isNull();
  }

  @Test
  void aReplicaThatLosesTheRightToWriteBeforeTheRequestWritesNothing() {
    // yes on the event loop, where it decides; no on the worker that writes: the lease was lost in between
    deploy(repairOn(), () -> Thread.currentThread().getName().startsWith("vert.x-eventloop"));

    vertx.eventBus().publish(BusAddresses.FINDINGS, finding(), LOCAL);

    await().atMost(Duration.ofSeconds(5)).until(() -> results().contains(Result.NOT_LEADER));
    assertThat(requestOnTheNode()).isNull();
  }

  @Test
  void withRepairOffTheFindingPagesAndNothingIsWritten() {
    deploy(config(), WritePermit.always());

    vertx.eventBus().publish(BusAddresses.FINDINGS, finding(), LOCAL);

    await().atMost(Duration.ofSeconds(5)).until(() -> !decisions.isEmpty());
    assertThat(decisions.get(0).decision().rule()).isEqualTo(RemediationRule.REPAIR_DISABLED);
    assertThat(requestOnTheNode()).isNull();
  }
}
