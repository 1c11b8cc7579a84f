package io.chainwatch.watcher;

import static io.chainwatch.watcher.KubeObjects.CILIUM_ENDPOINTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chainwatch.config.ChainwatchConfig;
import io.chainwatch.config.ConfigLoader;
import io.chainwatch.model.Finding;
import io.chainwatch.model.PlannedAction;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.chainwatch.bus.BusAddresses;
import io.chainwatch.model.RemediationDecision;
import io.chainwatch.model.RemediationOutcome;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false)
class ChainwatchMockServerTest {
  KubernetesClient client;
  KubernetesMockServer server;

  private final ByteArrayOutputStream findingLines = new ByteArrayOutputStream();
  private Chainwatch chainwatch;
  private final Instant now = Instant.now();
  private final Instant agentReady = now.minusSeconds(600);

  @BeforeEach
  void cluster() {
    client.getConfiguration().setRequestRetryBackoffLimit(0);
    client.nodes().resource(KubeObjects.node("node-1")).create();
    client.nodes().resource(KubeObjects.node("node-2")).create();
    client.pods().resource(KubeObjects.agent("node-1", agentReady)).create();
  }

  @AfterEach
  void stop() {
    if (chainwatch != null) {
      chainwatch.close();
    }
  }

  /** Incidents and the spool of each test, apart from every other run's (the default is /var/lib/chainwatch). */
  @org.junit.jupiter.api.io.TempDir
  java.nio.file.Path stateDir;

  private void startChainwatch(Map<String, String> env) {
    Map<String, String> withState = new java.util.HashMap<>(env);
    withState.putIfAbsent("CHAINWATCH_STATE_DIR", stateDir.toString());
    ChainwatchConfig config = ConfigLoader.load(null, withState);
    chainwatch = Chainwatch.start(config, client, Clock.systemUTC(),
        new PrintStream(findingLines, true, StandardCharsets.UTF_8));
    await().atMost(Duration.ofSeconds(15)).until(chainwatch::ready);
  }

  private void startChainwatch() {
    startChainwatch(Map.of("CHAINWATCH_HTTP_PORT", "0"));
  }

  private List<String> openPods() {
    return chainwatch.openFindings().stream().filter(f -> "Pod".equals(f.resource().kind()))
        .map(f -> f.resource().namespace() + "/" + f.resource().name()).sorted().toList();
  }

  private Pod createPod(String name, String node, Instant started) {
    return client.pods().resource(KubeObjects.pod("shop", name, node, started)).create();
  }

  private void createEndpointOf(Pod pod) {
    client.genericKubernetesResources(CILIUM_ENDPOINTS).inNamespace("shop")
        .resource(KubeObjects.endpointOf(pod)).create();
  }

  private final List<RemediationDecision> decisions = new CopyOnWriteArrayList<>();
  private final List<RemediationOutcome> outcomes = new CopyOnWriteArrayList<>();

  private void listenToRemediation() {
    chainwatch.vertx().eventBus().<RemediationDecision>localConsumer(BusAddresses.REMEDIATION_DECISIONS,
        message -> decisions.add(message.body()));
    chainwatch.vertx().eventBus().<RemediationOutcome>localConsumer(BusAddresses.REMEDIATION_OUTCOMES,
        message -> outcomes.add(message.body()));
  }

  @Test
  void inEnforceModeARacePodIsEvictedAndItsReplacementVerified() {
    AtomicInteger evictions = new AtomicInteger();
    server.expect().post().withPath("/api/v1/namespaces/shop/pods/racer/eviction").andReply(201, request -> {
      evictions.incrementAndGet();
      return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Success\",\"code\":201}";
    }).always();
    startChainwatch(Map.of("CHAINWATCH_HTTP_PORT", "0", "CHAINWATCH_REMEDIATION_MODE", "enforce"));
    listenToRemediation();

    createPod("racer", "node-1", agentReady.minusSeconds(40));
    await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.stream()
        .anyMatch(o -> o.result() == RemediationOutcome.Result.EVICTED));
    // what the API server and the ReplicaSet controller would do next
    client.pods().inNamespace("shop").withName("racer").delete();
    Pod replacement = client.pods().resource(new io.fabric8.kubernetes.api.model.PodBuilder(
        KubeObjects.pod("shop", "racer-2", "node-1", Instant.now())).editMetadata()
        .withOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
            .withApiVersion("apps/v1").withKind("ReplicaSet").withName("racer-rs").withUid("racer-rs-uid")
            .withController(true).build())).endMetadata().build()).create();
    createEndpointOf(replacement);

    await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.stream()
        .anyMatch(o -> o.result() == RemediationOutcome.Result.VERIFIED));
    assertThat(evictions).hasValue(1);
    assertThat(client.configMaps().inNamespace("chainwatch").withName("chainwatch-remediation-state").get())
        .as("the remediation state is kept in the cluster").isNotNull();
    String scrape = chainwatch.metrics().scrape();
    assertThat(scrape)
        .contains("chainwatch_remediation_outcomes_total{result=\"verified\"} 1.0")
        // each stage of the one remediation, once: finding → decision → eviction → verified replacement
        .contains("chainwatch_stage_duration_seconds_count{detector=\"missed-cilium-chain\",stage=\"finding-to-decision\"} 1")
        .contains("chainwatch_stage_duration_seconds_count{detector=\"missed-cilium-chain\",stage=\"decision-to-action\"} 1")
        .contains("chainwatch_stage_duration_seconds_count{detector=\"missed-cilium-chain\",stage=\"action-to-verified\"} 1")
        .contains("chainwatch_stage_duration_seconds_bucket{detector=\"missed-cilium-chain\",stage=\"action-to-verified\",le=\"600.0\"} 1")
        .contains("chainwatch_call_duration_seconds_count{call=\"evict\",outcome=\"ok\",system=\"kubernetes\"} 1");
  }

  @Test
  void aPodDisruptionBudgetServedByTheApiServerPacesAndIsNamedAndDryRunWritesNoEviction() {
    AtomicInteger evictions = new AtomicInteger();
    server.expect().post().withPath("/api/v1/namespaces/shop/pods/racer/eviction").andReply(201, request -> {
      evictions.incrementAndGet();
      return "{}";
    }).always();
    client.policy().v1().podDisruptionBudget().inNamespace("shop").resource(
        new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder().withNewMetadata()
            .withNamespace("shop").withName("shop-pdb").endMetadata().withNewSpec().withNewMaxUnavailable(1)
            .withNewSelector().endSelector().endSpec().build()).create();
    startChainwatch();
    listenToRemediation();

    createPod("racer", "node-1", agentReady.minusSeconds(40));

    await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.stream()
        .anyMatch(o -> o.result() == RemediationOutcome.Result.WOULD_EVICT));
    assertThat(decisions.get(0).dryRun()).isTrue();
    assertThat(decisions.get(0).decision().why()).contains("PodDisruptionBudget shop-pdb paces its pods");
    assertThat(evictions).hasValue(0);
    assertThat(client.pods().inNamespace("shop").withName("racer").get()).isNotNull();
  }

  @Test
  void findsPodsWithoutEndpointsThatExistedBeforeStartOnly() {
    createPod("racer", "node-1", agentReady.minusSeconds(40));
    createEndpointOf(createPod("fine", "node-1", agentReady.plusSeconds(30)));
    createPod("not-cilium", "node-2", agentReady.minusSeconds(40));

    startChainwatch();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(openPods()).containsExactly("shop/racer"));
    Finding racer = chainwatch.openFindings().get(0);
    assertThat(racer.action()).isEqualTo(PlannedAction.RESTART);
    assertThat(racer.summary()).contains("started 40 s before cilium-agent was first Ready on node node-1");
    assertThat(findingLines.toString(StandardCharsets.UTF_8)).contains("\"pod\":\"racer\"").contains("\"status\":\"open\"");
  }

  @Test
  void createUpdateAndDeleteReachTheViewAndProduceOrWithdrawFindings() {
    startChainwatch();

    Pod late = createPod("late", "node-1", now.minusSeconds(120));
    Pod gone = createPod("gone", "node-1", now.minusSeconds(120));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(openPods()).containsExactly("shop/gone", "shop/late"));

    createEndpointOf(late);
    client.pods().inNamespace("shop").withName("gone").delete();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(openPods()).isEmpty());
    String lines = findingLines.toString(StandardCharsets.UTF_8);
    assertThat(lines.lines().filter(l -> l.contains("\"status\":\"cleared\""))).hasSize(2);
    assertThat(lines.lines().filter(l -> l.contains("\"status\":\"open\""))).hasSize(2);
    assertThat(gone.getMetadata().getName()).isEqualTo("gone");
  }

  @Test
  void anUpdatedPodThatTurnsHostNetworkOrSucceedsIsWithdrawn() {
    startChainwatch();
    Pod pod = createPod("job-like", "node-1", now.minusSeconds(120));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(openPods()).hasSize(1));

    pod.getStatus().setPhase("Succeeded");
    client.pods().resource(pod).updateStatus();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(openPods()).isEmpty());
  }

  @Test
  void aNodeLosingItsAgentWithdrawsFindingsThere() {
    createPod("racer", "node-1", agentReady.minusSeconds(40));
    startChainwatch();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(openPods()).hasSize(1));

    client.pods().inNamespace("kube-system").withName("cilium-node-1").delete();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(openPods()).isEmpty());
  }

  @Test
  void anAgentThatTurnsNotReadyReplacesPodFindingsByOneNodePageAndANodeDeleteReachesTheView() {
    createPod("racer", "node-1", agentReady.minusSeconds(40));
    startChainwatch(Map.of("CHAINWATCH_HTTP_PORT", "0", "CHAINWATCH_DETECTORS_MISSED_CILIUM_CHAIN_AGENT_SETTLE",
        "PT0S"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(openPods()).hasSize(1));

    Pod agent = client.pods().inNamespace("kube-system").withName("cilium-node-1").get();
    agent.getStatus().getConditions().get(0).setStatus("False");
    agent.getStatus().getConditions().get(0).setLastTransitionTime(Instant.now().minusSeconds(5).toString());
    client.pods().resource(agent).updateStatus();
    client.nodes().withName("node-2").delete();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(openPods()).isEmpty();
      assertThat(chainwatch.openFindings()).singleElement().satisfies(finding -> {
        assertThat(finding.resource().key()).isEqualTo("Node/node-1");
        assertThat(finding.reason()).isEqualTo("agent-not-ready");
        assertThat(finding.action()).isEqualTo(PlannedAction.PAGE);
      });
      assertThat(chainwatch.view().node("node-2")).isEmpty();
    });
  }

  @Test
  void aYoungPodIsReportedWhenItsGracePeriodEndsWithoutAnyFurtherEvent() {
    startChainwatch(Map.of("CHAINWATCH_HTTP_PORT", "0", "CHAINWATCH_DETECTORS_MISSED_CILIUM_CHAIN_MIN_POD_AGE", "PT3S"));

    createPod("young", "node-1", Instant.now().minusSeconds(1));

    assertThat(openPods()).isEmpty();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(openPods()).containsExactly("shop/young"));
  }

  @Test
  void disablingTheEndpointCrdInCiliumConfigSilencesTheDetector() {
    createPod("racer", "node-1", agentReady.minusSeconds(40));
    startChainwatch();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(openPods()).hasSize(1));

    client.configMaps().resource(KubeObjects.ciliumConfig(Map.of("disable-endpoint-crd", "true"))).create();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(openPods()).isEmpty());
    assertThat(chainwatch.view().ciliumConfig()).isPresent();
  }

  // node-2 is young and has no agent: its missing-agent-not-ready-taint finding belongs to other tests
  private List<String> openDoctorFindings() {
    return chainwatch.openFindings().stream().filter(f -> !f.detectorId().equals("missed-cilium-chain"))
        .filter(f -> !f.detectorId().equals("missing-agent-not-ready-taint"))
        .map(f -> f.detectorId() + " " + f.resource().key()).sorted().toList();
  }

  @Test
  void theDeploymentDoctorFollowsTheClusterItWatches() {
    client.nodes().withName("node-1").edit(node -> new io.fabric8.kubernetes.api.model.NodeBuilder(node)
        .editOrNewSpec().withPodCIDR("172.16.1.0/26").endSpec().build());
    client.apps().daemonSets().resource(new io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder()
        .withNewMetadata().withNamespace("kube-system").withName("tke-bridge-agent").endMetadata()
        .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withName("agent").withImage("a")
        .endContainer().endSpec().endTemplate().endSpec().build()).create();
    client.configMaps().resource(KubeObjects.ciliumConfig(Map.of("cni-chaining-mode", "generic-veth",
        "routing-mode", "native"))).create();
    Pod eni = client.pods().resource(new io.fabric8.kubernetes.api.model.PodBuilder(
        KubeObjects.pod("shop", "eni-1", "node-1", agentReady.plusSeconds(60))).editMetadata()
        .addToAnnotations("tke.cloud.tencent.com/networks", "tke-route-eni").addToLabels("app", "web").endMetadata()
        .editStatus().withPodIP("172.16.1.9").endStatus().build()).create();
    createEndpointOf(eni);
    client.genericKubernetesResources(new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder()
        .withGroup("cilium.io").withVersion("v2").withKind("CiliumNetworkPolicy").withPlural("ciliumnetworkpolicies")
        .withNamespaced(true).build()).inNamespace("shop")
        .resource(new GenericKubernetesResourceBuilder().withApiVersion("cilium.io/v2")
            .withKind("CiliumNetworkPolicy").withNewMetadata().withNamespace("shop").withName("dns-only")
            .endMetadata().addToAdditionalProperties("spec", Map.of("endpointSelector",
                Map.of("matchLabels", Map.of("app", "web")), "egress", List.of(Map.of("toPorts", List.of(Map.of(
                    "ports", List.of(Map.of("port", "53")), "rules", Map.of("dns",
                        List.of(Map.of("matchPattern", "*")))))))))
            .build()).create();
    startChainwatch();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(openDoctorFindings()).containsExactly(
        "l7-policy-in-chaining CiliumNetworkPolicy/shop/dns-only",
        "unsupported-gr-native-routing ConfigMap/kube-system/cilium-config",
        "vpc-cni-coexistence-broken Pod/shop/eni-1"));

    // Overlay fixes the first two; the annotation still has no effect while Cilium is chained. (No Cilium DaemonSet
    // is served, so whether sysctlfix runs is unknown and overlay's sysctlfix check stays quiet.)
    client.configMaps().resource(KubeObjects.ciliumConfig(Map.of("cni-chaining-mode", "generic-veth",
        "routing-mode", "tunnel", "enable-ipv4-masquerade", "false"))).update();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(openDoctorFindings()).containsExactly(
        "vpc-cni-coexistence-broken Pod/shop/eni-1"));
    assertThat(new String(findingLines.toByteArray(), StandardCharsets.UTF_8))
        .contains("\"detector\":\"unsupported-gr-native-routing\"", "\"detector\":\"vpc-cni-coexistence-broken\"");
  }

  @Test
  void aMalformedEndpointIsCountedAndTheInformerKeepsRunning() {
    startChainwatch();
    GenericKubernetesResource malformed = new GenericKubernetesResourceBuilder().withApiVersion("cilium.io/v2")
        .withKind("CiliumEndpoint").withNewMetadata().withNamespace("shop").withName("weird").endMetadata()
        .addToAdditionalProperties("status", "this should be an object").build();

    client.genericKubernetesResources(CILIUM_ENDPOINTS).inNamespace("shop").resource(malformed).create();
    Pod after = createPod("after", "node-1", now.minusSeconds(120));
    createEndpointOf(after);

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(chainwatch.metrics().scrape())
          .contains("chainwatch_projection_errors_total{kind=\"CiliumEndpoint\"} 1.0");
      assertThat(chainwatch.view().endpoint("shop", "after")).isPresent();
    });
    assertThat(openPods()).isEmpty();
  }

  @Test
  void servesHealthReadinessAndMetrics() throws Exception {
    startChainwatch();
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + chainwatch.httpPort();

    HttpResponse<String> healthz = http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> readyz = http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
        HttpResponse.BodyHandlers.ofString());
    // the GC pause timers appear with the first collection, which a short test may not have had yet
    System.gc();
    var scraped = new java.util.concurrent.atomic.AtomicReference<HttpResponse<String>>();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      scraped.set(http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()));
      return scraped.get().body().contains("jvm_gc_pause_seconds");
    });
    HttpResponse<String> metrics = scraped.get();

    assertThat(healthz.statusCode()).isEqualTo(200);
    assertThat(readyz.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("chainwatch_informer_synced{kind=\"CiliumEndpoint\"} 1.0")
        .contains("chainwatch_bus_dropped_total 0.0")
        .contains("chainwatch_view_objects{kind=\"Node\"} 2.0")
        .contains("chainwatch_view_changes_total{kind=\"Node\"} 2.0")
        // labelled series exist before their first event, so rate() and alerts see 0 rather than nothing
        .contains("chainwatch_projection_errors_total{kind=\"Pod\"} 0.0")
        .contains("chainwatch_findings_emitted_total{detector=\"rp-filter-reset\"} 0.0")
        .contains("chainwatch_remediation_outcomes_total{result=\"failed\"} 0.0")
        .contains("chainwatch_findings_open{detector=\"missed-cilium-chain\",severity=\"critical\"} 0.0")
        // the JVM under its memory limit, the process, and what runs
        .contains("jvm_memory_used_bytes{area=\"heap\"")
        .contains("jvm_gc_pause_seconds")
        .contains("process_cpu_usage")
        .contains("process_start_time_seconds")
        .contains("process_files_open_files")
        // the informers' lists, timed through the watch client's interceptor
        .contains("chainwatch_call_duration_seconds_count{call=\"list pods\",outcome=\"ok\",system=\"kubernetes\"}")
        .contains("chainwatch_call_duration_seconds_count{call=\"list ciliumendpoints\",outcome=\"ok\",system=\"kubernetes\"}")
        .containsPattern("chainwatch_build_info\\{built=\"[^\"]+\",commit=\"[0-9a-f]{12}(-dirty)?\",java=\"[^\"]+\","
            + "version=\"[^\"]+\"} 1\n");
    // Prometheus' own checker accepts the exposition (names, help, types, histogram buckets)
    java.util.Optional<io.chainwatch.testkit.Promtool> promtool = io.chainwatch.testkit.Promtool.find();
    if (promtool.isEmpty() && !io.chainwatch.testkit.Promtool.required()) {
      return; // a developer machine without promtool; CI installs it (.ci/run)
    }
    assertThat(promtool).as("promtool (CI installs it: .ci/run)").isPresent();
    io.chainwatch.testkit.Promtool.Result checked = promtool.get().run(metrics.body(), "check", "metrics");
    assertThat(checked.exit()).as(checked.output()).isZero();
  }
}
