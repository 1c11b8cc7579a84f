package io.chainwatch.watcher.scan;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.config.ChainwatchConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Distribution × Cilium version × situation, through {@code scan}. The Cilium install of every cell is the official
 * chart rendered with real Helm for that distribution (src/test/resources/real/cilium-chart, provenance in its
 * README); the nodes, pods, CiliumNodes and CiliumEndpoints around it are a timeline assembled here (CiliumNodes
 * shaped after Cilium's own test object, CiliumEndpoints after the CRD), per situation:
 * <ul>
 *   <li>{@code healthy}: three nodes for 30 days, untainted (cilium-operator removed the taint long ago), workload pods
 *       with their endpoints;</li>
 *   <li>{@code upgrade}: the same after a Cilium upgrade: every agent pod new and Ready for four minutes;</li>
 *   <li>{@code race}: a node joined 20 minutes ago without the taint; a pod there started before Cilium's agent first
 *       ran and has no endpoint;</li>
 *   <li>{@code joined-untainted}: a node joined a minute ago without the taint, its agent not Ready yet;</li>
 *   <li>{@code no-endpoints}: the healthy cluster dumped without CiliumEndpoints.</li>
 * </ul>
 * No healthy, upgrade or no-endpoints cell may page. The table of what each cell reports is kept in
 * docs/real-cluster-matrix.md (regenerate with {@code -Dchainwatch.writeMatrix=true}).
 */
class RealClusterMatrixTest {
  private static final Instant NOW = Instant.parse("2026-11-23T04:10:00Z");
  private static final Path CHARTS = Path.of("src/test/resources/real/cilium-chart");
  private static final Path MATRIX = Path.of("../docs/real-cluster-matrix.md");
  private static final List<String> VERSIONS = List.of("1.15.19", "1.17.18", "1.18.12");
  private static final YAMLMapper YAML = new YAMLMapper();

  /** Distribution, whether Cilium is chained there, its nodes' OS image, its base CNI's workloads. */
  record Distro(String name, boolean chained, String osImage, List<String> baseCniWorkloads) {}

  static final List<Distro> DISTROS = List.of(
      new Distro("eks-aws-cni", true, "Amazon Linux 2023.6.20250115", List.of("DaemonSet/aws-node")),
      new Distro("aks-byocni", false, "Ubuntu 22.04.5 LTS", List.of()),
      new Distro("gke", false, "Container-Optimized OS from Google", List.of()),
      new Distro("rke2-portmap", false, "Ubuntu 24.04.1 LTS", List.of()),
      new Distro("talos", false, "Talos (v1.9.1)", List.of()),
      new Distro("kind", false, "Debian GNU/Linux 12 (bookworm)", List.of()),
      new Distro("kind-ns-cilium", false, "Debian GNU/Linux 12 (bookworm)", List.of()),
      new Distro("tke-gr-overlay", true, "TencentOS Server 3.1 (Final)", List.of("DaemonSet/tke-bridge-agent")),
      new Distro("tke-vpc-native", true, "TencentOS Server 3.1 (Final)",
          List.of("DaemonSet/tke-eni-agent", "ReplicaSet/tke-eni-ipamd-6b5d7c9f8d")));
  static final List<String> SITUATIONS = List.of("healthy", "upgrade", "race", "joined-untainted", "no-endpoints");

  private static final Map<String, String> TABLE = new LinkedHashMap<>();

  @TempDir static Path dir;

  record Result(int exit, List<JsonObject> findings, String stderr) {
    List<String> ids() {
      return findings.stream().map(f -> f.getString("detector") + "/" + f.getString("reason") + "("
          + f.getString("severity") + ")").sorted().distinct().toList();
    }

    boolean has(String detector, String reason) {
      return findings.stream().anyMatch(f -> f.getString("detector").equals(detector)
          && f.getString("reason").equals(reason));
    }
  }

  static List<Arguments> cells() {
    List<Arguments> cells = new ArrayList<>();
    for (Distro distro : DISTROS) {
      for (String version : VERSIONS) {
        for (String situation : SITUATIONS) {
          cells.add(Arguments.of(distro, version, situation));
        }
      }
    }
    return cells;
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("cells")
  void eachCellReportsWhatItShouldAndNothingElse(Distro distro, String version, String situation) throws Exception {
    Path chart = CHARTS.resolve(distro.name() + "-" + version + ".yaml");
    Result result = scan(chart, cluster(distro, chart, situation));
    TABLE.put(distro.name() + " | " + version + " | " + situation, result.exit() + " | "
        + (result.ids().isEmpty() ? "nothing" : String.join(", ", result.ids())));

    assertThat(result.stderr()).as("discovery in the summary").contains("Cilium: namespace "
        + (distro.name().endsWith("-ns-cilium") ? "cilium" : "kube-system"));
    assertThat(result.stderr()).contains(distro.chained() ? "chained (" : "primary CNI");
    switch (situation) {
      case "healthy", "upgrade" -> {
        assertThat(result.exit()).as("nothing pages on a healthy cluster or after an upgrade: " + result.ids())
            .isEqualTo(Scan.EXIT_CLEAN);
        assertThat(result.findings()).allSatisfy(f -> assertThat(f.getString("severity")).isEqualTo("info"));
      }
      case "race" -> {
        assertThat(result.exit()).isEqualTo(Scan.EXIT_FINDINGS);
        assertThat(result.has("missed-cilium-chain", "no-endpoint")).isTrue();
        assertThat(result.has("missing-agent-not-ready-taint", "pods-started-before-agent"))
            .as("the pool's taint is advised only where Cilium is chained").isEqualTo(distro.chained());
        assertThat(result.findings()).filteredOn(f -> f.getString("detector").equals("missing-agent-not-ready-taint"))
            .allSatisfy(f -> assertThat(f.getString("node")).isEqualTo("node-new"));
      }
      case "joined-untainted" -> {
        assertThat(result.has("missing-agent-not-ready-taint", "joined-untainted")).isEqualTo(distro.chained());
        assertThat(result.exit()).isEqualTo(distro.chained() ? Scan.EXIT_FINDINGS : Scan.EXIT_CLEAN);
        assertThat(result.has("missed-cilium-chain", "no-endpoint")).isFalse();
      }
      case "no-endpoints" -> {
        assertThat(result.exit()).as(result.ids().toString()).isEqualTo(Scan.EXIT_CLEAN);
        assertThat(result.stderr()).contains("detector missed-cilium-chain is inactive: the view holds no "
            + "CiliumEndpoints");
      }
      default -> throw new IllegalArgumentException(situation);
    }
    assertThat(result.findings()).noneMatch(f -> f.getString("detector").equals("missing-agent-not-ready-taint")
        && !distro.chained());
  }

  @Test
  void talosAdviceBecomesAWarningWhereTheHostsRunSystemdSysctl() throws Exception {
    Distro talos = DISTROS.stream().filter(d -> d.name().equals("talos")).findFirst().orElseThrow();
    Distro onUbuntu = new Distro("talos", false, "Ubuntu 22.04.5 LTS", List.of());
    Path chart = CHARTS.resolve("talos-1.18.12.yaml");

    Result onTalos = scan(chart, cluster(talos, chart, "healthy"));
    Result elsewhere = scan(chart, cluster(onUbuntu, chart, "healthy"));

    assertThat(onTalos.ids()).contains("native-routing-config/sysctlfix-disabled-in-overlay(info)");
    assertThat(elsewhere.ids()).contains("native-routing-config/sysctlfix-disabled-in-overlay(warning)");
    assertThat(elsewhere.exit()).isEqualTo(Scan.EXIT_FINDINGS);
  }

  @Test
  void aPodThatToleratesEveryTaintIsItsOwnAdviceNeverThePools() throws Exception {
    Distro eks = DISTROS.get(0);
    Path chart = CHARTS.resolve("eks-aws-cni-1.18.12.yaml");
    JsonObject cluster = cluster(eks, chart, "race");
    for (Object item : cluster.getJsonArray("items")) {
      JsonObject object = (JsonObject) item;
      if (object.getString("kind").equals("Pod") && object.getJsonObject("metadata").getString("name")
          .startsWith("early-")) {
        object.getJsonObject("spec").put("tolerations", new JsonArray().add(new JsonObject().put("operator",
            "Exists")));
      }
    }
    Result result = scan(chart, cluster);

    assertThat(result.has("missing-agent-not-ready-taint", "pods-started-before-agent")).isFalse();
    assertThat(result.has("missing-agent-not-ready-taint", "pod-tolerates-taint")).isTrue();
    assertThat(result.findings()).filteredOn(f -> f.getString("reason").equals("pod-tolerates-taint"))
        .allSatisfy(f -> assertThat(f.getString("summary")).contains("ReplicaSet shop/early-rs")
            .contains("tolerates every taint"));
  }

  @AfterAll
  static void keepTheTable() throws Exception {
    if (TABLE.size() != DISTROS.size() * VERSIONS.size() * SITUATIONS.size()) {
      return; // run partly (one cell picked): the table would be incomplete
    }
    StringBuilder text = new StringBuilder("# What chainwatch reports on real Cilium installs\n\n"
        + "Generated by `RealClusterMatrixTest` (watcher/src/test): the official Cilium chart rendered per "
        + "distribution and version (watcher/src/test/resources/real/cilium-chart/README.md) around an assembled "
        + "timeline per situation. Exit: 0 clean (advice only), 1 findings. Each finding as "
        + "detector/reason(severity).\n\n| distribution | Cilium | situation | exit | findings |\n|---|---|---|---|---|\n");
    TABLE.forEach((cell, outcome) -> text.append("| ").append(cell).append(" | ").append(outcome).append(" |\n"));
    if (Boolean.getBoolean("chainwatch.writeMatrix")) {
      Files.writeString(MATRIX, text);
    }
    assertThat(Files.readString(MATRIX)).as("docs/real-cluster-matrix.md is current (-Dchainwatch.writeMatrix=true "
        + "rewrites it)").isEqualTo(text.toString());
  }

  private static Result scan(Path chart, JsonObject cluster) throws Exception {
    Path assembled = Files.createTempFile(dir, "cluster", ".json");
    Files.writeString(assembled, cluster.encode());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Scan.run(ChainwatchConfig.defaults(), List.of(chart.toString(), assembled.toString()), NOW,
        InputStream.nullInputStream(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Scan.Format.JSON);
    String stdout = out.toString(StandardCharsets.UTF_8);
    List<JsonObject> lines = stdout.isEmpty() ? List.of()
        : Arrays.stream(stdout.split("\n")).map(JsonObject::new).toList();
    return new Result(exit, lines, err.toString(StandardCharsets.UTF_8));
  }

  // ---- the assembled timeline ----

  /** The rendered agent DaemonSet: its namespace, pod labels and init containers, as the agent pods carry them. */
  @SuppressWarnings("unchecked")
  private static JsonObject agentTemplate(Path chart) throws Exception {
    Map<String, Object> list = YAML.readValue(chart.toFile(), Map.class);
    for (Map<String, Object> item : (List<Map<String, Object>>) list.get("items")) {
      Map<String, Object> meta = (Map<String, Object>) item.get("metadata");
      if (item.get("kind").equals("DaemonSet") && meta.get("name").equals("cilium")) {
        return new JsonObject(item);
      }
    }
    throw new IllegalStateException("no agent DaemonSet in " + chart);
  }

  static JsonObject cluster(Distro distro, Path chart, String situation) throws Exception {
    JsonObject daemonSet = agentTemplate(chart);
    String ciliumNs = daemonSet.getJsonObject("metadata").getString("namespace");
    JsonObject template = daemonSet.getJsonObject("spec").getJsonObject("template");
    JsonArray items = new JsonArray();
    Instant longAgo = NOW.minus(Duration.ofDays(30));
    boolean upgraded = situation.equals("upgrade");
    List<String> nodes = new ArrayList<>(List.of("node-1", "node-2", "node-3"));
    for (String node : nodes) {
      items.add(node(node, distro, longAgo));
      items.add(ciliumNode(node, longAgo.plusSeconds(90)));
      Instant agentStart = upgraded ? NOW.minus(Duration.ofMinutes(5)) : longAgo.plusSeconds(60);
      items.add(agent(node, ciliumNs, template, agentStart, agentStart.plusSeconds(60), upgraded ? "x7k2p" : "a1b2c"));
      for (String workload : distro.baseCniWorkloads()) {
        items.add(baseCniPod(workload, node, longAgo.plusSeconds(30)));
      }
      for (int i = 0; i < 2; i++) {
        String name = "web-7d9c6b5f4-" + node.substring(5) + i;
        items.add(workloadPod("shop", name, "web-7d9c6b5f4", node, NOW.minus(Duration.ofDays(10))));
        if (!situation.equals("no-endpoints")) {
          items.add(endpoint("shop", name));
        }
      }
    }
    if (situation.equals("race")) {
      Instant joined = NOW.minus(Duration.ofMinutes(20));
      items.add(node("node-new", distro, joined));
      items.add(ciliumNode("node-new", joined.plus(Duration.ofMinutes(3))));
      items.add(agent("node-new", ciliumNs, template, joined.plus(Duration.ofMinutes(3)),
          joined.plus(Duration.ofMinutes(4)), "n3w00"));
      for (String workload : distro.baseCniWorkloads()) {
        items.add(baseCniPod(workload, "node-new", joined.plusSeconds(20)));
      }
      // started one minute after the node joined, two before Cilium's agent first ran: no endpoint
      items.add(workloadPod("shop", "early-9f8e7d6c5-abcde", "early-rs", "node-new", joined.plusSeconds(60)));
      // started after the agent: went through the chain
      items.add(workloadPod("shop", "late-5c4b3a291-fghij", "late-rs", "node-new", joined.plus(Duration.ofMinutes(6))));
      items.add(endpoint("shop", "late-5c4b3a291-fghij"));
    }
    if (situation.equals("joined-untainted")) {
      Instant joined = NOW.minus(Duration.ofMinutes(1));
      items.add(node("node-new", distro, joined));
      JsonObject agent = agent("node-new", ciliumNs, template, joined.plusSeconds(20), null, "n3w00");
      items.add(agent);
    }
    return new JsonObject().put("apiVersion", "v1").put("kind", "List").put("items", items);
  }

  private static JsonObject node(String name, Distro distro, Instant created) {
    return new JsonObject().put("apiVersion", "v1").put("kind", "Node")
        .put("metadata", new JsonObject().put("name", name).put("creationTimestamp", created.toString())
            .put("labels", new JsonObject().put("kubernetes.io/hostname", name)))
        .put("spec", new JsonObject())
        .put("status", new JsonObject()
            .put("conditions", new JsonArray().add(condition("Ready", true, created.plusSeconds(40))))
            .put("nodeInfo", new JsonObject().put("osImage", distro.osImage())));
  }

  /** Shaped after Cilium's pkg/k8s/testutils/testdata/ciliumnode.yaml (see the fixtures README). */
  private static JsonObject ciliumNode(String name, Instant created) {
    return new JsonObject().put("apiVersion", "cilium.io/v2").put("kind", "CiliumNode")
        .put("metadata", new JsonObject().put("name", name).put("creationTimestamp", created.toString())
            .put("ownerReferences", new JsonArray().add(new JsonObject().put("apiVersion", "v1").put("kind", "Node")
                .put("name", name).put("uid", name + "-uid"))))
        .put("spec", new JsonObject().put("health", new JsonObject().put("ipv4", "10.244.1.242")));
  }

  private static JsonObject agent(String node, String namespace, JsonObject template, Instant started,
      Instant readySince, String suffix) {
    JsonObject templateSpec = template.getJsonObject("spec");
    JsonArray initContainers = new JsonArray();
    templateSpec.getJsonArray("initContainers", new JsonArray()).forEach(c ->
        initContainers.add(new JsonObject().put("name", ((JsonObject) c).getString("name"))));
    return new JsonObject().put("apiVersion", "v1").put("kind", "Pod")
        .put("metadata", new JsonObject().put("namespace", namespace).put("name", "cilium-" + suffix + node.substring(5))
            .put("uid", "cilium-" + suffix + node + "-uid").put("creationTimestamp", started.toString())
            .put("labels", template.getJsonObject("metadata").getJsonObject("labels"))
            .put("ownerReferences", new JsonArray().add(owner("DaemonSet", "cilium"))))
        .put("spec", new JsonObject().put("nodeName", node).put("hostNetwork", true)
            .put("initContainers", initContainers)
            .put("tolerations", new JsonArray().add(new JsonObject().put("operator", "Exists"))))
        .put("status", new JsonObject().put("phase", "Running").put("startTime", started.toString())
            .put("conditions", new JsonArray().add(readySince == null ? condition("Ready", false, started)
                : condition("Ready", true, readySince))));
  }

  private static JsonObject baseCniPod(String workload, String node, Instant started) {
    String kind = workload.substring(0, workload.indexOf('/'));
    String name = workload.substring(workload.indexOf('/') + 1);
    return new JsonObject().put("apiVersion", "v1").put("kind", "Pod")
        .put("metadata", new JsonObject().put("namespace", "kube-system").put("name", name + "-" + node)
            .put("uid", name + "-" + node + "-uid").put("creationTimestamp", started.toString())
            .put("ownerReferences", new JsonArray().add(owner(kind, name))))
        .put("spec", new JsonObject().put("nodeName", node).put("hostNetwork", true))
        .put("status", new JsonObject().put("phase", "Running").put("startTime", started.toString())
            .put("conditions", new JsonArray().add(condition("Ready", true, started.plusSeconds(10)))));
  }

  private static JsonObject workloadPod(String namespace, String name, String replicaSet, String node,
      Instant started) {
    return new JsonObject().put("apiVersion", "v1").put("kind", "Pod")
        .put("metadata", new JsonObject().put("namespace", namespace).put("name", name).put("uid", name + "-uid")
            .put("creationTimestamp", started.minusSeconds(2).toString())
            .put("ownerReferences", new JsonArray().add(owner("ReplicaSet", replicaSet))))
        .put("spec", new JsonObject().put("nodeName", node)
            .put("tolerations", new JsonArray().add(new JsonObject().put("key", "node.kubernetes.io/not-ready")
                .put("operator", "Exists").put("effect", "NoExecute").put("tolerationSeconds", 300))))
        .put("status", new JsonObject().put("phase", "Running").put("startTime", started.toString())
            .put("podIP", "10.244.1.17")
            .put("conditions", new JsonArray().add(condition("Ready", true, started.plusSeconds(5)))));
  }

  /** Shaped after the CiliumEndpoint CRD and the synthesized fixture: named after its pod, owned by its UID. */
  private static JsonObject endpoint(String namespace, String pod) {
    return new JsonObject().put("apiVersion", "cilium.io/v2").put("kind", "CiliumEndpoint")
        .put("metadata", new JsonObject().put("namespace", namespace).put("name", pod)
            .put("ownerReferences", new JsonArray().add(new JsonObject().put("apiVersion", "v1").put("kind", "Pod")
                .put("name", pod).put("uid", pod + "-uid"))))
        .put("status", new JsonObject().put("id", 1234).put("state", "ready"));
  }

  private static JsonObject owner(String kind, String name) {
    return new JsonObject().put("apiVersion", kind.equals("ReplicaSet") || kind.equals("DaemonSet") ? "apps/v1" : "v1")
        .put("kind", kind).put("name", name).put("uid", name + "-uid").put("controller", true);
  }

  private static JsonObject condition(String type, boolean status, Instant at) {
    return new JsonObject().put("type", type).put("status", status ? "True" : "False")
        .put("lastTransitionTime", at.toString());
  }
}
