package io.chainwatch.remediation;

import static io.chainwatch.remediation.Fixtures.budgetFor;
import static io.chainwatch.remediation.Fixtures.config;
import static io.chainwatch.remediation.Fixtures.namespace;
import static io.chainwatch.remediation.Fixtures.pod;
import static io.chainwatch.remediation.Fixtures.replacement;
import static io.chainwatch.remediation.Fixtures.restartFinding;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chainwatch.bus.BusAddresses;
import io.chainwatch.bus.BusCodecs;
import io.chainwatch.config.RemediationConfig;
import io.chainwatch.model.BreakerChange;
import io.chainwatch.model.Decision;
import io.chainwatch.model.Finding;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.RemediationDecision;
import io.chainwatch.model.RemediationOutcome;
import io.chainwatch.model.RemediationOutcome.Result;
import io.chainwatch.model.RemediationRule;
import io.chainwatch.remediation.action.EvictPodRemediation;
import io.chainwatch.remediation.action.NodeRepairRequester;
import io.chainwatch.remediation.action.RemediationStateCodec;
import io.chainwatch.remediation.action.RemediationStateStore;
import io.chainwatch.remediation.policy.EvictionRecord;
import io.chainwatch.remediation.policy.RemediationHistory;
import io.chainwatch.remediation.policy.RemediationPolicy;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The remediation verticle against fabric8's mock API server (CRUD for the state ConfigMap, expectations for the
 * eviction subresource the CRUD mock lacks), with the real fabric8 client and the real bus.
 */
@Tag("slow")
@EnableKubernetesMockClient(crud = true)
class RemediationVerticleMockServerTest {
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  private static final String STATE_NS = "chainwatch";
  private static final String STATE_NAME = "chainwatch-remediation-state";
  private static final String ACCEPTED = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Success\",\"code\":201}";
  private static final String BUDGET_REFUSAL = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
      + "\"message\":\"Cannot evict pod as it would violate the pod's disruption budget.\",\"reason\":"
      + "\"TooManyRequests\",\"details\":{\"causes\":[{\"reason\":\"DisruptionBudget\",\"message\":\"The disruption "
      + "budget web-pdb needs 2 healthy pods and has 2 currently\"}]},\"code\":429}";
  private static final String NOT_FOUND = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
      + "\"message\":\"pods \\\"web-1\\\" not found\",\"reason\":\"NotFound\",\"code\":404}";

  KubernetesMockServer server;
  KubernetesClient client;

  private Vertx vertx;
  private MutableClock clock;
  private InMemoryRemediationView view;
  private final List<RemediationDecision> decisions = new CopyOnWriteArrayList<>();
  private final List<RemediationOutcome> outcomes = new CopyOnWriteArrayList<>();
  private final List<BreakerChange> breakerChanges = new CopyOnWriteArrayList<>();
  private final List<io.chainwatch.model.ApprovalChange> approvals = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> evictionPosts = new ConcurrentHashMap<>();
  private final List<String> evictionBodies = new CopyOnWriteArrayList<>();
  private final List<EvictPodRemediation> evictors = new ArrayList<>();

  private final PodSnapshot web1 = pod("shop", "web-1", "web-rs", "node-a");
  private final PodSnapshot web2 = pod("shop", "web-2", "web-rs", "node-a");

  @BeforeEach
  void setUp() {
    client.getConfiguration().setRequestRetryBackoffLimit(0);
    vertx = Vertx.vertx();
    BusCodecs.registerAll(vertx.eventBus());
    vertx.eventBus().<RemediationDecision>localConsumer(BusAddresses.REMEDIATION_DECISIONS,
        message -> decisions.add(message.body()));
    vertx.eventBus().<RemediationOutcome>localConsumer(BusAddresses.REMEDIATION_OUTCOMES,
        message -> outcomes.add(message.body()));
    vertx.eventBus().<BreakerChange>localConsumer(BusAddresses.REMEDIATION_BREAKER,
        message -> breakerChanges.add(message.body()));
    vertx.eventBus().<io.chainwatch.model.ApprovalChange>localConsumer(BusAddresses.REMEDIATION_APPROVALS,
        message -> approvals.add(message.body()));
    clock = new MutableClock(Fixtures.T0.plus(Duration.ofHours(1)));
    view = new InMemoryRemediationView();
    view.add(web1, false).add(web2, false);
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    evictors.forEach(EvictPodRemediation::close);
  }

  private String deploy(RemediationConfig config, WritePermit permit) {
    EvictPodRemediation evictor = new EvictPodRemediation(client, config.requestTimeout());
    evictors.add(evictor);
    RemediationVerticle verticle = new RemediationVerticle(new RemediationPolicy(config), view, evictor,
        new NodeRepairRequester(client, Duration.ofSeconds(10), null),
        new RemediationStateStore(client, STATE_NS, STATE_NAME), permit, clock);
    try {
      String id = vertx.deployVerticle(verticle).await(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(5)).until(() -> verticle.stateLoaded().await(5, TimeUnit.SECONDS));
      return id;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String deploy(RemediationConfig config) {
    return deploy(config, WritePermit.always());
  }

  /** The API server answers evictions of {@code ns/name} with {@code status} and {@code body}, counting them. */
  private void answerEvictions(PodSnapshot pod, int status, String body) {
    AtomicInteger posts = evictionPosts.computeIfAbsent(pod.name(), name -> new AtomicInteger());
    server.expect().post().withPath("/api/v1/namespaces/" + pod.namespace() + "/pods/" + pod.name() + "/eviction")
        .andReply(status, request -> {
          posts.incrementAndGet();
          evictionBodies.add(request.getUtf8Body());
          return body;
        }).always();
  }

  private int posts(PodSnapshot pod) {
    return evictionPosts.getOrDefault(pod.name(), new AtomicInteger()).get();
  }

  private void publish(Finding finding) {
    vertx.eventBus().publish(BusAddresses.FINDINGS, finding, LOCAL);
  }

  private List<Result> resultsFor(PodSnapshot pod) {
    return outcomes.stream().filter(o -> o.finding().resource().name().equals(pod.name()))
        .map(RemediationOutcome::result).toList();
  }

  private List<Decision> decisionsFor(PodSnapshot pod) {
    return decisions.stream().filter(d -> d.finding().resource().name().equals(pod.name()))
        .map(RemediationDecision::decision).toList();
  }

  private RemediationHistory savedState() {
    ConfigMap map = client.configMaps().inNamespace(STATE_NS).withName(STATE_NAME).get();
    assertThat(map).as("state ConfigMap").isNotNull();
    return RemediationStateCodec.decode(map.getData().get(RemediationStateStore.DATA_KEY));
  }

  @Test
  void evictsThroughTheEvictionApiOnThatUidAndVerifiesTheReplacement() {
    answerEvictions(web1, 201, ACCEPTED);
    deploy(config());

    publish(restartFinding(web1));

    await().atMost(Duration.ofSeconds(5)).until(() -> resultsFor(web1).contains(Result.EVICTED));
    JsonObject body = new JsonObject(evictionBodies.get(0));
    assertThat(body.getString("apiVersion")).isEqualTo("policy/v1");
    assertThat(body.getString("kind")).isEqualTo("Eviction");
    assertThat(body.getJsonObject("deleteOptions").getJsonObject("preconditions").getString("uid"))
        .isEqualTo("web-1-uid");
    // the outcome is published before the state is written (the save is asynchronous): wait for the save itself
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(savedState().eviction("web-1-uid")).get()
        .extracting(EvictionRecord::status).isEqualTo(EvictionRecord.Status.EVICTED));

    view.remove(web1);
    PodSnapshot next = replacement(web1, "web-9", clock.instant());
    view.add(next, false);
    clock.advance(Duration.ofSeconds(3));
    view.addEndpoint(next);

    await().atMost(Duration.ofSeconds(5)).until(() -> resultsFor(web1).contains(Result.VERIFIED));
    RemediationOutcome verified = outcomes.stream().filter(o -> o.result() == Result.VERIFIED).findFirst().get();
    assertThat(verified.evidence()).containsEntry("replacement", "shop/web-9");
    assertThat(posts(web1)).isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(savedState().eviction("web-1-uid")).get()
        .extracting(EvictionRecord::status).isEqualTo(EvictionRecord.Status.SETTLED));
  }

  @Test
  void pagesThatTheRestartDidNotHelpWhenNoReplacementGetsAnEndpointInTime() {
    answerEvictions(web1, 201, ACCEPTED);
    deploy(config("CHAINWATCH_REMEDIATION_VERIFY_TIMEOUT", "PT30S"));
    publish(restartFinding(web1));
    await().atMost(Duration.ofSeconds(5)).until(() -> resultsFor(web1).contains(Result.EVICTED));
    view.remove(web1);
    view.add(replacement(web1, "web-9", clock.instant()), false);

    clock.advance(Duration.ofSeconds(29));
    RemediationOutcome notYet = outcomes.get(outcomes.size() - 1);
    clock.advance(Duration.ofSeconds(2));

    await().atMost(Duration.ofSeconds(5)).until(() -> resultsFor(web1).contains(Result.NOT_HELPED));
    assertThat(notYet.result()).isEqualTo(Result.EVICTED);
    RemediationOutcome page = outcomes.stream().filter(o -> o.result() == Result.NOT_HELPED).findFirst().get();
    assertThat(page.needsPerson()).isTrue();
    assertThat(page.detail()).startsWith("restart did not help");
    assertThat(page.evidence().get("replacements").toString()).contains("shop/web-9", "ciliumEndpoint=false");
  }

  @Test
  void retriesABudgetRefusalWithBackoffThenPagesNamingTheBudget() {
    answerEvictions(web1, 429, BUDGET_REFUSAL);
    view.add(budgetFor(web1, "web-pdb"));
    deploy(config("CHAINWATCH_REMEDIATION_BUDGET_RETRIES", "1", "CHAINWATCH_REMEDIATION_BUDGET_BACKOFF", "PT20S"));

    publish(restartFinding(web1));
    await().atMost(Duration.ofSeconds(5)).until(() -> resultsFor(web1).contains(Result.BUDGET_REFUSED));
    clock.advance(Duration.ofSeconds(10));
    int beforeBackoff = posts(web1);
    clock.advance(Duration.ofSeconds(11));
    await().atMost(Duration.ofSeconds(5)).until(() -> posts(web1) == 2);
    await().atMost(Duration.ofSeconds(5)).until(() -> resultsFor(web1).stream()
        .filter(r -> r == Result.BUDGET_REFUSED).count() == 2);
    clock.advance(Duration.ofMinutes(1));

    await().atMost(Duration.ofSeconds(5)).until(() -> decisionsFor(web1).stream()
        .anyMatch(d -> d.rule() == RemediationRule.BUDGET_EXHAUSTED));
    assertThat(beforeBackoff).as("no retry before the backoff").isEqualTo(1);
    Decision page = decisionsFor(web1).stream().filter(d -> d.rule() == RemediationRule.BUDGET_EXHAUSTED)
        .findFirst().get();
    assertThat(page).isInstanceOf(Decision.Page.class);
    assertThat(page.why()).contains("web-pdb");
    RemediationOutcome refusal = outcomes.stream().filter(o -> o.result() == Result.BUDGET_REFUSED).findFirst().get();
    assertThat(refusal.evidence()).containsEntry("budget", "web-pdb").containsEntry("httpStatus", 429);
    clock.advance(Duration.ofHours(2));
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> posts(web1) == 2);
  }

  @Test
  void aPodAlreadyGoneIsResolvedWithoutRetry() {
    answerEvictions(web1, 404, NOT_FOUND);
    deploy(config());

    publish(restartFinding(web1));

    await().atMost(Duration.ofSeconds(5)).until(() -> resultsFor(web1).contains(Result.GONE));
    clock.advance(Duration.ofHours(1));
    publish(restartFinding(web1));
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> posts(web1) == 1);
    assertThat(outcomes.stream().filter(o -> o.result() == Result.GONE).findFirst().get().needsPerson()).isFalse();
  }

  @Test
  void dryRunDecidesAndReportsButNeverEvicts() {
    answerEvictions(web1, 201, ACCEPTED);
    deploy(config("CHAINWATCH_REMEDIATION_MODE", "dry-run"));

    publish(restartFinding(web1));

    await().atMost(Duration.ofSeconds(5)).until(() -> resultsFor(web1).contains(Result.WOULD_EVICT));
    RemediationOutcome wouldEvict = outcomes.get(0);
    assertThat(wouldEvict.detail()).contains("dry-run", "would have evicted shop/web-1");
    assertThat(decisions.get(0).dryRun()).isTrue();
    assertThat(decisions.get(0).decision()).isInstanceOf(Decision.Evict.class);
    clock.advance(Duration.ofMinutes(5));
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> posts(web1) == 0);
  }

  @Test
  void evictsOnePodPerOwnerAtATimeAndTheNextAfterTheReplacementIsHealthy() {
    answerEvictions(web1, 201, ACCEPTED);
    answerEvictions(web2, 201, ACCEPTED);
    deploy(config("CHAINWATCH_REMEDIATION_OWNER_COOLDOWN", "PT0S"));

    publish(restartFinding(web1));
    publish(restartFinding(web2));

    await().atMost(Duration.ofSeconds(5)).until(() -> resultsFor(web1).contains(Result.EVICTED));
    await().atMost(Duration.ofSeconds(5)).until(() -> decisionsFor(web2).stream()
        .anyMatch(d -> d.rule() == RemediationRule.OWNER_IN_FLIGHT));
    assertThat(posts(web2)).isZero();

    PodSnapshot next = replacement(web1, "web-9", clock.instant());
    view.remove(web1);
    view.add(next, true);

    await().atMost(Duration.ofSeconds(5)).until(() -> posts(web2) == 1);
    assertThat(resultsFor(web1)).contains(Result.VERIFIED);
  }

  @Test
  void podsOfAnOwnerGovernedByABudgetAreEvictedInParallel() {
    answerEvictions(web1, 201, ACCEPTED);
    answerEvictions(web2, 201, ACCEPTED);
    view.add(budgetFor(web1, "web-pdb"));
    deploy(config());

    publish(restartFinding(web1));
    publish(restartFinding(web2));

    await().atMost(Duration.ofSeconds(5)).until(() -> posts(web1) == 1 && posts(web2) == 1);
  }

  @Test
  void oneReplacementVerifiesOneEvictionNotTwo() {
    answerEvictions(web1, 201, ACCEPTED);
    answerEvictions(web2, 201, ACCEPTED);
    view.add(budgetFor(web1, "web-pdb"));
    deploy(config());
    publish(restartFinding(web1));
    publish(restartFinding(web2));
    await().atMost(Duration.ofSeconds(5)).until(() -> posts(web1) == 1 && posts(web2) == 1);

    view.remove(web1);
    view.remove(web2);
    view.add(replacement(web1, "web-9", clock.instant()), true);

    await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.stream()
        .filter(o -> o.result() == Result.VERIFIED).count() == 1);
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> outcomes.stream()
        .filter(o -> o.result() == Result.VERIFIED).count() == 1);
    view.add(replacement(web2, "web-8", clock.instant()), true);
    await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.stream()
        .filter(o -> o.result() == Result.VERIFIED).count() == 2);
  }

  @Test
  void theBreakerTripsPagesOnceAndStopsEveryWriteUntilAPersonResetsIt() {
    List<PodSnapshot> pods = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      PodSnapshot pod = pod("shop", "svc" + i + "-1", "svc" + i + "-rs", "node-a");
      pods.add(pod);
      view.add(pod, false);
      answerEvictions(pod, 201, ACCEPTED);
    }
    deploy(config("CHAINWATCH_REMEDIATION_BREAKER_MAX_PODS", "2"));

    pods.forEach(pod -> publish(restartFinding(pod)));

    await().atMost(Duration.ofSeconds(5)).until(() -> breakerChanges.size() == 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> decisions.size() >= 5);
    assertThat(breakerChanges.get(0).open()).isTrue();
    assertThat(breakerChanges.get(0).evidence()).containsEntry("podsCounted", 3);
    // evictions are asynchronous: the two decided before the breaker tripped reach the server, and no third follows
    await().atMost(Duration.ofSeconds(5)).until(() -> pods.stream().mapToInt(this::posts).sum() == 2);
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
        .until(() -> pods.stream().mapToInt(this::posts).sum() == 2);
    assertThat(decisions.stream().filter(d -> d.decision().rule() == RemediationRule.BLAST_RADIUS)).hasSize(1);
    assertThat(decisions.stream().filter(d -> d.decision().rule() == RemediationRule.BREAKER_OPEN)).hasSize(2);
    await().atMost(Duration.ofSeconds(5)).until(() -> savedState().breaker().isPresent());

    client.configMaps().inNamespace(STATE_NS).withName(STATE_NAME).edit(map -> new ConfigMapBuilder(map)
        .editMetadata().addToAnnotations(RemediationStateStore.RESET_BREAKER_ANNOTATION, "now").endMetadata().build());
    clock.advance(Duration.ofSeconds(16));

    await().atMost(Duration.ofSeconds(5)).until(() -> pods.stream().mapToInt(this::posts).sum() == 4);
    assertThat(breakerChanges.get(1).open()).isFalse();
    assertThat(breakerChanges.get(1).reason()).contains("reset by a person");
    // the reset forgets the counted findings; the three still open count afresh, and the third trips it again
    await().atMost(Duration.ofSeconds(5)).until(() -> breakerChanges.size() == 3);
    assertThat(breakerChanges.get(2).open()).isTrue();
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
        .until(() -> pods.stream().mapToInt(this::posts).sum() == 4);
  }

  @Test
  void anOptedOutNamespacePagesAndIsNeverWrittenTo() {
    answerEvictions(web1, 201, ACCEPTED);
    view.add(namespace("shop", true));
    deploy(config());

    publish(restartFinding(web1));

    await().atMost(Duration.ofSeconds(5)).until(() -> !decisions.isEmpty());
    assertThat(decisions.get(0).decision()).isInstanceOf(Decision.Page.class);
    assertThat(decisions.get(0).decision().rule()).isEqualTo(RemediationRule.NAMESPACE_OPT_OUT);
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> posts(web1) == 0);
  }

  @Test
  void aFollowerDecidesNothingAndWritesNothing() {
    answerEvictions(web1, 201, ACCEPTED);
    deploy(config(), () -> false);

    publish(restartFinding(web1));

    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> decisions.isEmpty()
        && outcomes.isEmpty() && posts(web1) == 0);
    assertThat(client.configMaps().inNamespace(STATE_NS).withName(STATE_NAME).get()).isNull();
  }

  @Test
  void losingLeadershipBetweenSavingTheIntentAndEvictingPreventsTheEviction() {
    answerEvictions(web1, 201, ACCEPTED);
    // leads until the intent is in the cluster, then loses the lease before the eviction
    deploy(config(), () -> client.configMaps().inNamespace(STATE_NS).withName(STATE_NAME).get() == null);

    publish(restartFinding(web1));

    await().atMost(Duration.ofSeconds(5)).until(() -> resultsFor(web1).contains(Result.NOT_LEADER));
    assertThat(posts(web1)).isZero();
  }

  @Test
  void aReplicaThatBecomesLeaderReadsWhatThePreviousLeaderDidBeforeDeciding() throws Exception {
    answerEvictions(web1, 201, ACCEPTED);
    AtomicBoolean leads = new AtomicBoolean(false);
    deploy(config(), leads::get);
    publish(restartFinding(web1));
    RemediationHistory previousLeader = new RemediationHistory();
    previousLeader.putEviction(new EvictionRecord("shop/web-1", "web-1-uid", web1.ownerKey(), "node-a", "k",
        clock.instant(), EvictionRecord.Status.EVICTED, 0, null, null, false));
    client.configMaps().inNamespace(STATE_NS).resource(new ConfigMapBuilder().withNewMetadata()
        .withNamespace(STATE_NS).withName(STATE_NAME).endMetadata()
        .withData(Map.of(RemediationStateStore.DATA_KEY, RemediationStateCodec.encode(previousLeader))).build())
        .create();

    leads.set(true);

    await().atMost(Duration.ofSeconds(5)).until(() -> !decisions.isEmpty());
    assertThat(decisions.get(0).decision().rule()).isEqualTo(RemediationRule.ALREADY_EVICTED);
    assertThat(posts(web1)).isZero();
  }

  @Test
  void anEvictionAnsweredWhileLeadershipIsRegainedIsRecordedNotLost() {
    // the API server answers the eviction 3 s late; meanwhile the replica loses and regains its lease, and the
    // state read that follows the regain takes 3 s too, so the answer arrives while the state is being read again
    AtomicInteger posted = evictionPosts.computeIfAbsent(web1.name(), name -> new AtomicInteger());
    server.expect().post().delay(3, TimeUnit.SECONDS)
        .withPath("/api/v1/namespaces/shop/pods/web-1/eviction")
        .andReply(201, request -> {
          posted.incrementAndGet();
          return ACCEPTED;
        }).always();
    AtomicBoolean leads = new AtomicBoolean(true);
    AtomicInteger askedWhileFollowing = new AtomicInteger();
    deploy(config(), () -> {
      if (leads.get()) {
        return true;
      }
      askedWhileFollowing.incrementAndGet();
      return false;
    });

    publish(restartFinding(web1));
    await().atMost(Duration.ofSeconds(5)).until(() -> resultsFor(web1).isEmpty()
        && decisionsFor(web1).stream().anyMatch(d -> d instanceof Decision.Evict)
        && client.configMaps().inNamespace(STATE_NS).withName(STATE_NAME).get() != null);
    leads.set(false);
    await().atMost(Duration.ofSeconds(5)).until(() -> askedWhileFollowing.get() >= 2);
    ConfigMap stored = client.configMaps().inNamespace(STATE_NS).withName(STATE_NAME).get();
    server.expect().get().delay(3, TimeUnit.SECONDS)
        .withPath("/api/v1/namespaces/" + STATE_NS + "/configmaps/" + STATE_NAME)
        .andReturn(200, stored).once();
    leads.set(true);

    await().atMost(Duration.ofSeconds(10)).until(() -> resultsFor(web1).contains(Result.EVICTED));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(savedState().eviction("web-1-uid")).get()
        .extracting(EvictionRecord::status).isEqualTo(EvictionRecord.Status.EVICTED));
    assertThat(posted.get()).isEqualTo(1);
  }

  @Test
  void aRestartOfChainwatchAfterTheEvictionDoesNotEvictAgain() throws Exception {
    answerEvictions(web1, 201, ACCEPTED);
    String first = deploy(config());
    publish(restartFinding(web1));
    await().atMost(Duration.ofSeconds(5)).until(() -> resultsFor(web1).contains(Result.EVICTED));
    await().atMost(Duration.ofSeconds(5)).until(() -> savedState().eviction("web-1-uid").isPresent());
    vertx.undeploy(first).await(5, TimeUnit.SECONDS);

    deploy(config());
    publish(restartFinding(web1));

    await().atMost(Duration.ofSeconds(5)).until(() -> decisions.stream()
        .anyMatch(d -> d.decision().rule() == RemediationRule.ALREADY_EVICTED));
    assertThat(posts(web1)).isEqualTo(1);
  }

  @Test
  void anIntentSavedBeforeACrashIsNeverRepeatedAndEndsInAPage() {
    RemediationHistory crashed = new RemediationHistory();
    crashed.putEviction(new EvictionRecord("shop/web-1", "web-1-uid", web1.ownerKey(), "node-a", "k",
        clock.instant().minusSeconds(20), EvictionRecord.Status.REQUESTED, 0, null, null, false));
    client.configMaps().inNamespace(STATE_NS).resource(new ConfigMapBuilder().withNewMetadata()
        .withNamespace(STATE_NS).withName(STATE_NAME).endMetadata()
        .withData(Map.of(RemediationStateStore.DATA_KEY, RemediationStateCodec.encode(crashed))).build()).create();
    answerEvictions(web1, 201, ACCEPTED);
    deploy(config("CHAINWATCH_REMEDIATION_VERIFY_TIMEOUT", "PT1M"));

    publish(restartFinding(web1));
    clock.advance(Duration.ofMinutes(1));

    await().atMost(Duration.ofSeconds(5)).until(() -> resultsFor(web1).contains(Result.NOT_HELPED));
    assertThat(posts(web1)).isZero();
    assertThat(decisionsFor(web1)).extracting(Decision::rule).containsExactly(RemediationRule.ALREADY_EVICTED);
    assertThat(outcomes.get(0).detail()).contains("never processed", "the evicted pod is still there");
  }

  @Test
  void anUnreadableStateBlocksEvictionsAndSaysWhy() {
    client.configMaps().inNamespace(STATE_NS).resource(new ConfigMapBuilder().withNewMetadata()
        .withNamespace(STATE_NS).withName(STATE_NAME).endMetadata()
        .withData(Map.of(RemediationStateStore.DATA_KEY, "{\"version\":7}")).build()).create();
    answerEvictions(web1, 201, ACCEPTED);
    RemediationConfig config = config();
    EvictPodRemediation evictor = new EvictPodRemediation(client, config.requestTimeout());
    evictors.add(evictor);
    RemediationVerticle verticle = new RemediationVerticle(new RemediationPolicy(config), view, evictor,
        new NodeRepairRequester(client, Duration.ofSeconds(10), null),
        new RemediationStateStore(client, STATE_NS, STATE_NAME), WritePermit.always(), clock);
    vertx.deployVerticle(verticle).await();

    publish(restartFinding(web1));

    await().atMost(Duration.ofSeconds(5)).until(() -> !decisions.isEmpty());
    assertThat(decisions.get(0).decision().rule()).isEqualTo(RemediationRule.STATE_UNAVAILABLE);
    assertThat(posts(web1)).isZero();
  }

  @Test
  void aStateWrittenByAnotherReplicaMeanwhileIsMergedNotOverwritten() {
    answerEvictions(web1, 201, ACCEPTED);
    answerEvictions(web2, 201, ACCEPTED);
    AtomicBoolean sneaked = new AtomicBoolean();
    deploy(config(), () -> {
      // the first time chainwatch writes (on a worker), another writer changes the ConfigMap right before it
      if (Thread.currentThread().getName().contains("worker") && sneaked.compareAndSet(false, true)) {
        RemediationHistory other = new RemediationHistory();
        other.putEviction(new EvictionRecord("shop/web-2", "web-2-uid", web2.ownerKey(), "node-a", "k",
            clock.instant(), EvictionRecord.Status.EVICTED, 0, null, null, false));
        client.configMaps().inNamespace(STATE_NS).resource(new ConfigMapBuilder().withNewMetadata()
            .withNamespace(STATE_NS).withName(STATE_NAME).endMetadata()
            .withData(Map.of(RemediationStateStore.DATA_KEY, RemediationStateCodec.encode(other))).build())
            .create();
      }
      return true;
    });

    publish(restartFinding(web1));
    // decided on the older state, then the conflict shows the other writer's eviction of the same owner: decided
    // again on the merged state, web-1 waits instead of making two pods of one owner go at once
    await().atMost(Duration.ofSeconds(5)).until(() -> decisionsFor(web1).stream()
        .anyMatch(d -> d.rule() == RemediationRule.OWNER_IN_FLIGHT));
    publish(restartFinding(web2));

    await().atMost(Duration.ofSeconds(5)).until(() -> decisionsFor(web2).stream()
        .anyMatch(d -> d.rule() == RemediationRule.ALREADY_EVICTED));
    await().atMost(Duration.ofSeconds(5)).until(() -> savedState().eviction("web-2-uid").isPresent());
    assertThat(posts(web1)).as("web-1 not evicted while web-2 of the same owner is").isZero();
    assertThat(posts(web2)).isZero();
    assertThat(savedState().eviction("web-1-uid")).as("the withdrawn intent").isEmpty();
  }

  /** Mode approve, as the loader accepts it: with the Slack actions configured. */
  private static RemediationConfig approving(String... more) {
    List<String> env = new ArrayList<>(List.of("CHAINWATCH_REMEDIATION_MODE", "approve",
        "CHAINWATCH_SLACK_TOKEN_FILE", "/etc/chainwatch/slack/token", "CHAINWATCH_SLACK_CHANNEL", "#oncall",
        "CHAINWATCH_SLACK_APP_TOKEN_FILE", "/etc/chainwatch/slack/app-token",
        "CHAINWATCH_SLACK_ACTIONS_GROUP", "S0ONCALL"));
    env.addAll(List.of(more));
    return config(env.toArray(String[]::new));
  }

  private io.chainwatch.model.ApprovalChange asked() {
    await().atMost(Duration.ofSeconds(5)).until(() -> approvals.stream()
        .anyMatch(a -> a.state() == io.chainwatch.model.ApprovalChange.State.ASKED));
    return approvals.stream().filter(a -> a.state() == io.chainwatch.model.ApprovalChange.State.ASKED).findFirst()
        .get();
  }

  private void click(io.chainwatch.model.PersonAction.Kind kind, String approvalId, String user, boolean allowed) {
    vertx.eventBus().publish(BusAddresses.PERSON_ACTIONS, new io.chainwatch.model.PersonAction(
        user + ":" + kind + ":" + System.nanoTime(), kind, "inc-1", approvalId, 0, user, user, allowed,
        clock.instant()), LOCAL);
  }

  private List<io.chainwatch.model.ApprovalChange.State> approvalStates() {
    return approvals.stream().map(io.chainwatch.model.ApprovalChange::state).toList();
  }

  @Test
  void modeApproveAsksAndAnApprovedEvictionIsStillRefusedByTheBudget() {
    answerEvictions(web1, 429, BUDGET_REFUSAL);
    view.add(budgetFor(web1, "web-pdb"));
    deploy(approving());

    publish(restartFinding(web1));
    io.chainwatch.model.ApprovalChange question = asked();
    await().atMost(Duration.ofSeconds(5)).until(() -> decisionsFor(web1).stream()
        .anyMatch(d -> d.rule() == RemediationRule.AWAITING_APPROVAL));
    assertThat(question.action()).startsWith("evict Pod/shop/web-1");
    assertThat(question.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(30)));
    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> posts(web1) == 0);

    click(io.chainwatch.model.PersonAction.Kind.APPROVE, question.approvalId(), "U0ALICE", true);

    await().atMost(Duration.ofSeconds(5)).until(() -> resultsFor(web1).contains(Result.BUDGET_REFUSED));
    assertThat(posts(web1)).as("the click went through the gate, and the budget still said no").isEqualTo(1);
    assertThat(approvalStates()).containsExactly(io.chainwatch.model.ApprovalChange.State.ASKED,
        io.chainwatch.model.ApprovalChange.State.APPROVED);
    assertThat(approvals.get(1).by()).isEqualTo("<@U0ALICE>");
  }

  @Test
  void aSecondApproveIsIgnoredAndTheEvictionHappensOnce() {
    answerEvictions(web1, 201, ACCEPTED);
    deploy(approving());
    publish(restartFinding(web1));
    String id = asked().approvalId();

    click(io.chainwatch.model.PersonAction.Kind.APPROVE, id, "U0ALICE", true);
    click(io.chainwatch.model.PersonAction.Kind.APPROVE, id, "U0BOB", true);

    await().atMost(Duration.ofSeconds(5)).until(() -> resultsFor(web1).contains(Result.EVICTED));
    await().atMost(Duration.ofSeconds(5)).until(() -> approvalStates()
        .contains(io.chainwatch.model.ApprovalChange.State.IGNORED));
    assertThat(posts(web1)).isEqualTo(1);
    assertThat(approvals.get(approvals.size() - 1).detail()).isEqualTo("already approved by <@U0ALICE>: nothing more "
        + "done");
  }

  @Test
  void anUnansweredQuestionExpiresPagesAndALateClickDoesNothing() {
    answerEvictions(web1, 201, ACCEPTED);
    deploy(approving("CHAINWATCH_REMEDIATION_APPROVAL_TIMEOUT", "PT10M"));
    publish(restartFinding(web1));
    String id = asked().approvalId();

    clock.advance(Duration.ofMinutes(10));
    await().atMost(Duration.ofSeconds(5)).until(() -> decisionsFor(web1).stream()
        .anyMatch(d -> d.rule() == RemediationRule.APPROVAL_EXPIRED));
    click(io.chainwatch.model.PersonAction.Kind.APPROVE, id, "U0ALICE", true);

    await().atMost(Duration.ofSeconds(5)).until(() -> approvalStates()
        .contains(io.chainwatch.model.ApprovalChange.State.IGNORED));
    assertThat(decisionsFor(web1).stream().filter(d -> d.rule() == RemediationRule.APPROVAL_EXPIRED).findFirst()
        .get()).isInstanceOf(Decision.Page.class);
    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> posts(web1) == 0);
  }

  @Test
  void aRejectionPagesAndAClickByANonMemberChangesNothing() {
    answerEvictions(web1, 201, ACCEPTED);
    deploy(approving());
    publish(restartFinding(web1));
    String id = asked().approvalId();

    click(io.chainwatch.model.PersonAction.Kind.APPROVE, id, "U0MALLORY", false);
    click(io.chainwatch.model.PersonAction.Kind.REJECT, id, "U0BOB", true);

    await().atMost(Duration.ofSeconds(5)).until(() -> decisionsFor(web1).stream()
        .anyMatch(d -> d.rule() == RemediationRule.APPROVAL_REJECTED));
    assertThat(approvalStates()).containsExactly(io.chainwatch.model.ApprovalChange.State.ASKED,
        io.chainwatch.model.ApprovalChange.State.REJECTED);
    assertThat(decisionsFor(web1).stream().filter(d -> d.rule() == RemediationRule.APPROVAL_REJECTED).findFirst()
        .get().why()).contains("rejected by <@U0BOB>");
    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> posts(web1) == 0);
  }
}
