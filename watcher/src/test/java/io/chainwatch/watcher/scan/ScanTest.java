package io.chainwatch.watcher.scan;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.config.ChainwatchConfig;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScanTest {
  private static final Instant NOW = Instant.parse("2026-11-23T04:10:00Z");
  @TempDir Path dir;

  record Result(int exit, List<JsonObject> lines, String stdout, String stderr) {}

  static Path dump(String name) {
    return Path.of("src/test/resources/dumps", name);
  }

  private Result scan(InputStream stdin, String... inputs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Scan.run(ChainwatchConfig.defaults(), List.of(inputs), NOW, stdin,
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    String stdout = out.toString(StandardCharsets.UTF_8);
    List<JsonObject> lines = stdout.isEmpty() ? List.of()
        : Arrays.stream(stdout.split("\n")).map(JsonObject::new).toList();
    return new Result(exit, lines, stdout, err.toString(StandardCharsets.UTF_8));
  }

  private Result scan(String... inputs) {
    return scan(InputStream.nullInputStream(), inputs);
  }

  private Path file(String name, byte[] content) throws Exception {
    Path path = dir.resolve(name);
    Files.write(path, content);
    return path;
  }

  @ParameterizedTest
  @ValueSource(strings = {"race-cluster.json", "race-cluster.yaml"})
  void findsTheRacePodsAndOnlyThemInJsonAndYamlDumps(String name) {
    Result result = scan(dump(name).toString());

    assertThat(result.exit()).isEqualTo(Scan.EXIT_FINDINGS);
    List<JsonObject> pods = result.lines().stream().filter(l -> l.getString("pod") != null).toList();
    assertThat(pods).extracting(line -> line.getString("namespace") + "/" + line.getString("pod")
            + " " + line.getString("action"))
        .containsExactly(
            "db/pg-0 restart",
            "shop/backup-28190-kq2z1 page",
            "shop/debug page",
            "shop/web-7d9c6b5f4-x2k8p restart");
    assertThat(result.lines()).extracting(line -> line.getString("detector") + "/" + line.getString("reason"))
        .as("the dump's cilium-config also sets enable-endpoint-routes: advice from the deployment doctor")
        .contains("bpf-host-routing/endpoint-routes");
    JsonObject race = pods.get(3);
    assertThat(race.fieldNames()).contains("detector", "severity", "node", "namespace", "pod", "action", "summary",
        "evidence");
    assertThat(race.getString("detector")).isEqualTo("missed-cilium-chain");
    assertThat(race.getString("severity")).isEqualTo("critical");
    assertThat(race.getString("node")).isEqualTo("10.0.0.11");
    assertThat(race.getString("summary")).startsWith("Pod shop/web-7d9c6b5f4-x2k8p started 40 s before "
        + "cilium-agent was first Ready on node 10.0.0.11: the CNI-chain race");
    assertThat(race.getJsonObject("evidence").getBoolean("chainRace")).isTrue();
    assertThat(result.lines()).extracting(line -> line.getString("detector") + "@" + line.getString("node"))
        .as("the race node has no agent-not-ready taint: the deployment doctor names the cause")
        .contains("missing-agent-not-ready-taint@10.0.0.11");
    assertThat(result.stderr()).contains("20 objects read, 18 used, 6 findings");
  }

  @Test
  void jsonAndYamlOfTheSameClusterGiveTheSameOutput() {
    assertThat(scan(dump("race-cluster.json").toString()).stdout())
        .isEqualTo(scan(dump("race-cluster.yaml").toString()).stdout());
  }

  @Test
  void readsStdinAndMixesFiles() throws Exception {
    byte[] json = Files.readAllBytes(dump("race-cluster.json"));

    Result result = scan(new ByteArrayInputStream(json), "-", dump("race-cluster.yaml").toString());

    assertThat(result.exit()).isEqualTo(Scan.EXIT_FINDINGS);
    assertThat(result.lines()).hasSize(6);
  }

  @Test
  void exitsZeroWithNoOutputWhenNothingIsWrong() throws Exception {
    Path healthy = file("healthy.yaml", """
        apiVersion: v1
        kind: Node
        metadata: {name: n1}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: cilium-a, namespace: kube-system, labels: {k8s-app: cilium}}
        spec: {nodeName: n1, hostNetwork: true}
        status:
          phase: Running
          startTime: "2026-11-23T03:00:00Z"
          conditions: [{type: Ready, status: "True", lastTransitionTime: "2026-11-23T03:00:10Z"}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: shop, uid: u-web}
        spec: {nodeName: n1}
        status: {phase: Running, startTime: "2026-11-23T03:30:00Z"}
        ---
        apiVersion: cilium.io/v2
        kind: CiliumEndpoint
        metadata:
          name: web
          namespace: shop
          ownerReferences: [{apiVersion: v1, kind: Pod, name: web, uid: u-web}]
        """.getBytes(StandardCharsets.UTF_8));

    Result result = scan(healthy.toString());

    assertThat(result.exit()).isEqualTo(Scan.EXIT_CLEAN);
    assertThat(result.stdout()).isEmpty();
  }

  @Test
  void saysOnceThatTheDetectorIsInactiveWhenTheEndpointCrdIsDisabled() {
    Result result = scan(dump("crd-disabled.yaml").toString());

    assertThat(result.lines()).as("only the deployment doctor's endpoint-routes advice: without endpoints there is no"
        + " evidence of the race, so the untainted node is not reported either")
        .extracting(line -> line.getString("detector"))
        .containsOnly("bpf-host-routing");
    assertThat(result.stderr()).containsOnlyOnce("detector missed-cilium-chain is inactive")
        .contains("disable-endpoint-crd");
  }

  @Test
  void warnsWhenTheDumpHoldsNoAgentPods() throws Exception {
    Path nodesOnly = file("nodes.json", "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[]}".getBytes());

    Result result = scan(nodesOnly.toString());

    assertThat(result.exit()).isEqualTo(Scan.EXIT_CLEAN);
    assertThat(result.stderr()).contains("no Cilium agent pods");
  }

  @Test
  void truncatedJsonIsAnErrorNotAPartialScan() throws Exception {
    byte[] json = Files.readAllBytes(dump("race-cluster.json"));
    Path truncated = file("truncated.json", Arrays.copyOf(json, json.length / 2));

    Result result = scan(truncated.toString());

    assertThat(result.exit()).isEqualTo(Scan.EXIT_BAD_INPUT);
    assertThat(result.stdout()).isEmpty();
    assertThat(result.stderr()).contains(truncated.toString()).contains("malformed or truncated JSON at line");
  }

  @Test
  void kubectlsTableOutputGetsAHintToDumpObjects() throws Exception {
    Path table = file("pods.txt", ("NAMESPACE   NAME                      READY   STATUS    RESTARTS   AGE\n"
        + "shop        web-7d9c6b5f4-x2k8p       1/1     Running   0          3d\n").getBytes(StandardCharsets.UTF_8));

    Result result = scan(table.toString());

    assertThat(result.exit()).isEqualTo(Scan.EXIT_BAD_INPUT);
    assertThat(result.stdout()).isEmpty();
    assertThat(result.stderr()).contains(table + ": this is kubectl's table output").contains("-o json");
  }

  @Test
  void aPowerShellRedirectionsUtf16GetsAHintAndAUtf8ByteOrderMarkIsRead() throws Exception {
    byte[] json = Files.readAllBytes(dump("race-cluster.json"));
    byte[] utf16 = new String(json, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_16LE);
    byte[] withBom = new byte[utf16.length + 2];
    withBom[0] = (byte) 0xFF;
    withBom[1] = (byte) 0xFE;
    System.arraycopy(utf16, 0, withBom, 2, utf16.length);

    for (byte[] content : List.of(withBom, utf16)) {
      Result result = scan(file("dump-utf16.json", content).toString());
      assertThat(result.exit()).isEqualTo(Scan.EXIT_BAD_INPUT);
      assertThat(result.stderr()).contains("the file is UTF-16, not UTF-8").contains("Out-File -Encoding utf8");
    }
    byte[] utf8Bom = new byte[json.length + 3];
    utf8Bom[0] = (byte) 0xEF;
    utf8Bom[1] = (byte) 0xBB;
    utf8Bom[2] = (byte) 0xBF;
    System.arraycopy(json, 0, utf8Bom, 3, json.length);
    assertThat(scan(file("dump-bom.json", utf8Bom).toString()).exit()).isEqualTo(Scan.EXIT_FINDINGS);
  }

  @Test
  void aMalformedObjectOfAKindNoDetectorReadsDoesNotFailTheScan() throws Exception {
    String race = Files.readString(dump("race-cluster.json"));
    // a ConfigMap that is not cilium-config, with data of the wrong shape: nothing reads it
    Path other = file("other.json", ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
        + "\"app-settings\",\"namespace\":\"shop\",\"ownerReferences\":\"oops\",\"creationTimestamp\":{\"a\":1}},\"data\":{}}").getBytes(StandardCharsets.UTF_8));

    Result result = scan(dump("race-cluster.json").toString(), other.toString());

    assertThat(race).contains("\"kind\"");
    assertThat(result.exit()).isEqualTo(Scan.EXIT_FINDINGS);
    assertThat(result.stderr()).doesNotContain("app-settings");
  }

  @Test
  void truncatedYamlListIsAnError() throws Exception {
    Path truncated = file("truncated.yaml", """
        apiVersion: v1
        items:
        - apiVersion: v1
          kind: Node
          metadata: {name: n1}
        """.getBytes(StandardCharsets.UTF_8));

    Result result = scan(truncated.toString());

    assertThat(result.exit()).isEqualTo(Scan.EXIT_BAD_INPUT);
    assertThat(result.stderr()).contains("has items but its kind is null, not a List: is the file truncated?");
  }

  @Test
  void malformedInputsNameTheFileTheObjectAndTheProblem() throws Exception {
    Path badField = file("bad-field.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: shop}
        spec: {hostNetwork: "yes"}
        """.getBytes(StandardCharsets.UTF_8));
    Path notK8s = file("not-k8s.json", "{\"hello\": \"world\"}".getBytes());
    Path badYaml = file("bad.yaml", "kind: Pod\n  metadata: [\n".getBytes());
    Path binary = file("binary.json", new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
    Path empty = file("empty.json", new byte[0]);
    Path scalar = file("scalar.json", "42".getBytes());

    assertThat(scan(badField.toString())).satisfies(r -> {
      assertThat(r.exit()).isEqualTo(Scan.EXIT_BAD_INPUT);
      assertThat(r.stderr()).contains(badField + " (YAML document 1): Pod shop/web: spec.hostNetwork must be a"
          + " boolean, got yes");
    });
    assertThat(scan(notK8s.toString()).stderr()).contains(notK8s + ": not a Kubernetes object");
    assertThat(scan(badYaml.toString()).stderr()).contains(badYaml + ": malformed YAML");
    assertThat(scan(binary.toString()).stderr()).contains(binary + ": not valid UTF-8 text");
    assertThat(scan(empty.toString()).stderr()).contains(empty + ": the input is empty");
    assertThat(scan(scalar.toString()).stderr()).contains(scalar + " (YAML document 1): expected a mapping, got Integer");
    assertThat(scan(dir.resolve("absent.json").toString()).stderr()).contains("absent.json: no such file");
    for (Path bad : List.of(badField, notK8s, badYaml, binary, empty, scalar)) {
      assertThat(scan(bad.toString()).exit()).as(bad.toString()).isEqualTo(Scan.EXIT_BAD_INPUT);
    }
  }

  /** JSON is parsed from bytes; every byte is still checked to be UTF-8, in fields scan reads and in those it skips. */
  @Test
  void anyByteThatIsNotUtf8RefusesAJsonDumpAndValidUtf8IsRead() throws Exception {
    String pod = "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"apiVersion\":\"v1\",\"kind\":\"Node\","
        + "\"metadata\":{\"name\":\"n1\",\"managedFields\":[{\"manager\":\"%s\"}],\"annotations\":{\"a\":\"%s\"}}}]}";
    // the bytes, and which of them is the first that cannot be UTF-8
    java.util.Map<String, byte[]> bad = new java.util.LinkedHashMap<>();
    java.util.Map<String, Integer> offending = new java.util.HashMap<>();
    bad.put("skipped-field", new byte[] {(byte) 0xC3, (byte) 0x28}); // a lead byte without its continuation
    offending.put("skipped-field", 1);
    bad.put("overlong", new byte[] {(byte) 0xC0, (byte) 0x80});
    offending.put("overlong", 0);
    bad.put("surrogate", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
    offending.put("surrogate", 1);
    bad.put("above-max", new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80});
    offending.put("above-max", 1);
    bad.put("latin1", new byte[] {(byte) 0xE9}); // é in ISO-8859-1, then the closing quote
    offending.put("latin1", 1);
    for (var entry : bad.entrySet()) {
      String[] halves = String.format(pod, "BAD", "ok").split("BAD");
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      bytes.write(halves[0].getBytes(StandardCharsets.UTF_8));
      bytes.write(entry.getValue());
      bytes.write(halves[1].getBytes(StandardCharsets.UTF_8));
      Path file = file(entry.getKey() + ".json", bytes.toByteArray());
      assertThat(scan(file.toString())).as(entry.getKey()).satisfies(r -> {
        assertThat(r.exit()).isEqualTo(Scan.EXIT_BAD_INPUT);
        assertThat(r.stderr()).contains(file + ": not valid UTF-8 text (at byte "
            + (halves[0].length() + offending.get(entry.getKey())) + ")");
      });
    }
    // a sequence cut by the end of the file, after a complete value
    byte[] complete = String.format(pod, "kubectl", "ok").getBytes(StandardCharsets.UTF_8);
    byte[] cut = java.util.Arrays.copyOf(complete, complete.length + 1);
    cut[complete.length] = (byte) 0xE2;
    Path cutFile = file("cut.json", cut);
    assertThat(scan(cutFile.toString()).stderr()).contains(cutFile + ": not valid UTF-8 text (at byte "
        + complete.length + ")");

    Path fine = file("fine.json", String.format(pod, "kübectl \uD83D\uDE80 é中", "\uD83D\uDE80 réseau")
        .getBytes(StandardCharsets.UTF_8));
    assertThat(scan(fine.toString()).exit()).isNotEqualTo(Scan.EXIT_BAD_INPUT);
  }

  @Test
  void badInputAfterAGoodFileStillFailsTheWholeScan() throws Exception {
    Path bad = file("bad.json", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\"".getBytes());

    Result result = scan(dump("race-cluster.json").toString(), bad.toString());

    assertThat(result.exit()).isEqualTo(Scan.EXIT_BAD_INPUT);
    assertThat(result.stdout()).isEmpty();
  }

  @Test
  void judgesNodeReportsOfflineAndTheirAgeOnlyAgainstAGivenTime() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int wallClockExit = Scan.run(ChainwatchConfig.defaults(), List.of(dump("host-reports.yaml").toString()), NOW,
        true, InputStream.nullInputStream(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Scan.Format.JSON);
    assertThat(wallClockExit).isEqualTo(Scan.EXIT_FINDINGS);
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("probe-silent");
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("detector probe-silent is not judged")
        .contains("findings at " + NOW + " (wall clock)");

    Result result = scan(dump("host-reports.yaml").toString());
    // judged at --now: node 10.0.0.23's report is older than three heartbeats then
    assertThat(result.lines()).filteredOn(line -> line.getString("detector").equals("probe-silent"))
        .extracting(line -> line.getString("node")).containsExactly("10.0.0.23");
    assertThat(result.stderr()).contains("findings at " + NOW + " (--now)");

    assertThat(result.exit()).isEqualTo(Scan.EXIT_FINDINGS);
    assertThat(result.lines()).extracting(line -> line.getString("detector") + "@" + line.getString("node"))
        .containsExactlyInAnyOrder("rp-filter-reset@10.0.0.21", "cilium-health-local-endpoint@10.0.0.21",
            "probe-silent@10.0.0.23");
    JsonObject health = result.lines().stream()
        .filter(line -> line.getString("detector").equals("cilium-health-local-endpoint")).findFirst().orElseThrow();
    assertThat(health.getString("action")).isEqualTo("page");
    assertThat(health.getJsonObject("evidence").getString("troubleshootingBranch"))
        .isEqualTo("step-2-rp-filter-fix-not-applied");
  }

  @Test
  void theDoctorReadsDaemonSetsAndCiliumConfigFromADump() {
    Result result = scan(dump("doctor-vpc-cni-native.yaml").toString());

    assertThat(result.exit()).isEqualTo(Scan.EXIT_FINDINGS);
    assertThat(result.lines()).extracting(line -> line.getString("detector") + "/" + line.getString("reason")
        + "/" + line.getString("severity")).containsExactly(
        "native-routing-config/sysctlfix-enabled/critical",
        "native-routing-config/local-router-ipv4-unset/warning",
        "bpf-host-routing/iptables-masquerade/info");
  }

  @Test
  void aDumpMixingEveryKindGetsEachDoctorFindingOnceAndNothingForWhatWorks() {
    Result result = scan(dump("doctor-global-router-mixed.yaml").toString());

    assertThat(result.exit()).isEqualTo(Scan.EXIT_FINDINGS);
    assertThat(result.stderr()).contains("19 objects read, 19 used");
    assertThat(result.lines()).extracting(line -> line.getString("detector") + " " + line.getString("resource")
        + " " + line.getString("severity")).containsExactlyInAnyOrder(
        "unsupported-gr-native-routing ConfigMap/kube-system/cilium-config critical",
        "l7-policy-in-chaining CiliumNetworkPolicy/shop/web-egress-dns critical",
        "vpc-cni-coexistence-broken Pod/shop/payments-6c5d8-eni01 critical",
        "missing-agent-not-ready-taint Node/10.0.1.12 warning",
        "bpf-host-routing ConfigMap/kube-system/cilium-config info");
    JsonObject taint = result.lines().stream()
        .filter(line -> line.getString("detector").equals("missing-agent-not-ready-taint")).findFirst().orElseThrow();
    assertThat(taint.getString("summary")).contains("np-burst");
    JsonObject l7 = result.lines().stream()
        .filter(line -> line.getString("detector").equals("l7-policy-in-chaining")).findFirst().orElseThrow();
    assertThat(l7.getJsonObject("evidence").getInteger("runningPodsSelected")).isEqualTo(1);
    assertThat(result.stdout()).as("the pod that got its VPC IP, the L4-only policy")
        .doesNotContain("ledger-0", "nodes-l4");
  }

  @Test
  void anObjectReadTwiceWithOtherContentIsNamedAndTheLaterOneCounts() throws Exception {
    Path older = file("older.yaml", """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cilium-config, namespace: kube-system}
        data: {routing-mode: native}
        """.getBytes(StandardCharsets.UTF_8));
    Path newer = file("newer.yaml", """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cilium-config, namespace: kube-system}
        data: {routing-mode: tunnel}
        """.getBytes(StandardCharsets.UTF_8));

    Result twice = scan(older.toString(), newer.toString());
    Result same = scan(older.toString(), older.toString());

    assertThat(twice.stderr()).contains("note: " + newer + " (YAML document 1): "
        + "ConfigMap/kube-system/cilium-config was read before with other content; the later one is used");
    assertThat(same.stderr()).as("the same object twice is not a conflict").doesNotContain("read before");
  }

  @Test
  void theTextReportGroupsBySeverityWithEvidenceAndActionAndNoColourOffATerminal() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = Scan.run(ChainwatchConfig.defaults(), List.of(dump("doctor-vpc-cni-native.yaml").toString()), NOW,
        InputStream.nullInputStream(),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()),
        Scan.Format.TEXT);
    String text = out.toString(StandardCharsets.UTF_8);

    assertThat(exit).isEqualTo(Scan.EXIT_FINDINGS);
    assertThat(text).startsWith("CRITICAL (1)").contains("WARNING (1)", "INFO (1)",
        "native-routing-config: ConfigMap/kube-system/cilium-config", "sysctlfix.enabled=false",
        "signals: [DaemonSet kube-system/tke-eni-ipamd (VPC-CNI's agents)", "action: page", "action: none")
        .doesNotContain("\u001b[");
    assertThat(text.indexOf("CRITICAL")).isLessThan(text.indexOf("WARNING"));
    assertThat(text.indexOf("WARNING")).isLessThan(text.indexOf("INFO"));
  }

  @Test
  void terminalControlSequencesFromTheInputAreShownEscapedNeverSentToTheTerminal() throws Exception {
    String hostile = Files.readString(dump("race-cluster.json"))
        .replace("web-7d9c6b5f4-x2k8p", "web-7d9c6b5f4-x2k8p\\u001b[2J\\r\\nFORGED LINE");
    Path input = file("hostile.json", hostile.getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    Scan.run(ChainwatchConfig.defaults(), List.of(input.toString()), NOW, InputStream.nullInputStream(),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        Scan.Format.TEXT);

    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("x2k8p\\u001b[2J\\u000d\\u000aFORGED LINE").doesNotContain("\u001b")
        .doesNotContain("\r");
    assertThat(text.lines()).noneMatch(line -> line.startsWith("FORGED LINE"));
    assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("\u001b");
  }

  @Test
  void inputBeyondTheParsersLimitsIsBadInputNeverACrash() throws Exception {
    Path deep = file("deep.json", ("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"x\":" + "{\"a\":".repeat(600) + "1"
        + "}".repeat(601)).getBytes(StandardCharsets.UTF_8));
    Path number = file("number.json", ("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"x\":" + "9".repeat(1500) + "}")
        .getBytes(StandardCharsets.UTF_8));
    StringBuilder bomb = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\na0: &a0 [x, x, x, x, "
        + "x, x, x, x, x, x]\n");
    for (int i = 1; i <= 7; i++) { // 49 aliases in all, under SnakeYAML's limit of 50: 10 x 7^7 nodes once walked
      bomb.append("a").append(i).append(": &a").append(i).append(" [")
          .append(String.join(", ", java.util.Collections.nCopies(7, "*a" + (i - 1)))).append("]\n");
    }
    Path aliases = file("bomb.yaml", bomb.toString().getBytes(StandardCharsets.UTF_8));

    for (Path input : List.of(deep, number, aliases)) {
      Result result = scan(input.toString());
      assertThat(result.exit()).as(input.toString()).isEqualTo(Scan.EXIT_BAD_INPUT);
      assertThat(result.stderr()).as(input.toString()).contains(input.getFileName().toString())
          .doesNotContain("NullPointerException").doesNotContain("internal error");
    }
    assertThat(scan(aliases.toString()).stderr()).contains("refused as a YAML bomb");
    assertThat(scan(deep.toString()).stderr()).contains("refused").containsIgnoringCase("depth");
  }
}
