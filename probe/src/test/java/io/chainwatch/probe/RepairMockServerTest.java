package io.chainwatch.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The opt-in repair, probe side: requests read from the Node through the API server, rp_filter written under a fake
 * /proc, answers in the report.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class RepairMockServerTest {
  private static final Instant T0 = Instant.parse("2026-11-23T04:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();
  KubernetesClient client;
  KubernetesMockServer server;
  @TempDir Path proc;
  private NodeAnnotations annotations;

  @BeforeEach
  void node() throws Exception {
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().build()).create();
    annotations = new NodeAnnotations(URI.create(client.getMasterUrl().toString()), null, null);
    for (String iface : new String[] {"all", "default", "eth0", "cilium_host", "lxc1a2b", "lxc3c4d", "docker0"}) {
      Files.createDirectories(proc.resolve("sys/net/ipv4/conf").resolve(iface));
    }
    rpFilter("all", 1);
    rpFilter("default", 1);
    rpFilter("eth0", 1);
    rpFilter("cilium_host", 0);
    rpFilter("lxc1a2b", 1);
    rpFilter("lxc3c4d", 0);
    rpFilter("docker0", 1);
  }

  private void rpFilter(String iface, int value) throws Exception {
    Files.writeString(proc.resolve("sys/net/ipv4/conf").resolve(iface).resolve("rp_filter"), value + "\n");
  }

  private int rpFilter(String iface) throws Exception {
    return Integer.parseInt(Files.readString(proc.resolve("sys/net/ipv4/conf").resolve(iface).resolve("rp_filter"))
        .trim());
  }

  static final RepairSignature KEY = new RepairSignature("k".repeat(40).getBytes(StandardCharsets.UTF_8));

  private ReportPublisher publisher() {
    ProcHostFacts facts = new ProcHostFacts(proc, "eth0",
        new CiliumHealthClient(proc.resolve("none.sock"), Duration.ofSeconds(1)));
    return new ReportPublisher("n1", facts, (node, report) -> annotations.set(node, NodeReport.ANNOTATION, report),
        Duration.ofMinutes(5), Duration.ofSeconds(30), annotations::get, KEY);
  }

  private void request(String id, Instant expiresAt, String values) throws Exception {
    request(id, T0, expiresAt, values, KEY, "n1");
  }

  /** Writes a request signed with {@code key} for {@code signedFor} ({@code null} key: unsigned). */
  private void request(String id, Instant requestedAt, Instant expiresAt, String values, RepairSignature key,
      String signedFor) throws Exception {
    ObjectNode request = JSON.createObjectNode().put("version", 1).put("id", id)
        .put("requestedAt", requestedAt.toString()).put("expiresAt", expiresAt.toString());
    request.set("rpFilter", JSON.readTree(values));
    request.putArray("attempts").add(requestedAt.toString());
    if (key != null) {
      Map<String, Integer> parsed = new TreeMap<>();
      request.path("rpFilter").fields().forEachRemaining(e -> parsed.put(e.getKey(), e.getValue().asInt()));
      request.put("signature", key.sign(RepairSignature.canonical(signedFor, id, requestedAt.toString(),
          expiresAt.toString(), parsed)));
    }
    annotations.set("n1", RepairHandler.ANNOTATION, request.toString());
  }

  private JsonNode report() throws Exception {
    return JSON.readTree(client.nodes().withName("n1").get().getMetadata().getAnnotations()
        .get(NodeReport.ANNOTATION));
  }

  @Test
  void writesTheRequestedValuesOnceAndAnswersAtOnceInTheReport() throws Exception {
    ReportPublisher publisher = publisher();
    assertThat(publisher.round(T0)).isEqualTo(ReportPublisher.Outcome.WRITTEN);
    request("r-1", T0.plusSeconds(300), "{\"all\":0,\"lxc1a2b\":0}");

    ReportPublisher.Outcome answered = publisher.round(T0.plusSeconds(5));

    assertThat(answered).as("written despite the 30 s minimum: chainwatch waits for the answer")
        .isEqualTo(ReportPublisher.Outcome.WRITTEN);
    assertThat(rpFilter("all")).isZero();
    assertThat(rpFilter("lxc1a2b")).isZero();
    assertThat(rpFilter("eth0")).as("not asked for").isEqualTo(1);
    JsonNode report = report();
    assertThat(report.path("rpFilter").path("lxc1a2b").asInt()).as("the report shows the new values").isZero();
    assertThat(report.path("repair").path("id").asText()).isEqualTo("r-1");
    assertThat(report.path("repair").path("written")).hasSize(2);
    assertThat(report.path("repair").has("errors")).isFalse();

    rpFilter("lxc1a2b", 1); // reset again on the host
    publisher.round(T0.plusSeconds(60));
    assertThat(rpFilter("lxc1a2b")).as("the same request is not applied twice").isEqualTo(1);
  }

  @Test
  void aRestartedProbeDoesNotApplyARequestItsReportAlreadyAnswered() throws Exception {
    ReportPublisher first = publisher();
    request("r-1", T0.plusSeconds(300), "{\"lxc1a2b\":0}");
    first.round(T0);
    assertThat(rpFilter("lxc1a2b")).isZero();
    rpFilter("lxc1a2b", 1);

    ReportPublisher restarted = publisher();
    restarted.round(T0.plusSeconds(10));

    assertThat(rpFilter("lxc1a2b")).isEqualTo(1);
    assertThat(report().path("repair").path("id").asText()).as("the answer is kept in the report").isEqualTo("r-1");
  }

  @Test
  void anExpiredRequestIsRefusedNotAppliedLate() throws Exception {
    request("r-old", T0.plusSeconds(300), "{\"all\":0}");

    publisher().round(T0.plusSeconds(301));

    assertThat(rpFilter("all")).isEqualTo(1);
    assertThat(report().path("repair").path("refused").asText()).startsWith("expired at " + T0.plusSeconds(300));
  }

  @Test
  void writesOnlyWhatARepairNeedsAndNamesEachRefusal() throws Exception {
    request("r-2", T0.plusSeconds(300), "{\"lxc1a2b\":0,\"cilium_host\":0}");
    publisher().round(T0);
    JsonNode repair = report().path("repair");
    assertThat(repair.path("written").fieldNames()).toIterable().as("cilium_host is 0 already: nothing to write")
        .containsExactly("lxc1a2b");

    String[][] refusals = {
        {"{\"docker0\":0}", "rpFilter.docker0: a repair only writes all, the uplink and Cilium's interfaces"},
        {"{\"default\":0}", "rpFilter.default: a repair only writes all, the uplink and Cilium's interfaces"},
        {"{\"../../../etc\":0}", "rpFilter.../../../etc: a repair only writes all"},
        {"{\"lxcgone\":0}", "rpFilter.lxcgone: the probe cannot read its current value"},
        {"{\"all\":7}", "rpFilter.all must be 0 or 2 (a repair only loosens), got 7"}};
    for (int i = 0; i < refusals.length; i++) {
      request("r-refused-" + i, T0.plusSeconds(300), refusals[i][0]);
      publisher().round(T0.plusSeconds(1));
      assertThat(report().path("repair").path("refused").asText()).as(refusals[i][0]).startsWith(refusals[i][1]);
    }
    assertThat(rpFilter("docker0")).isEqualTo(1);
    assertThat(Files.exists(proc.resolve("sys/net/ipv4/conf/lxcgone"))).as("nothing created").isFalse();
  }

  @Test
  void aRequestNeverTightens() throws Exception {
    String[] tightening = {"{\"all\":1}", "{\"eth0\":1}", "{\"lxc3c4d\":2}", "{\"lxc3c4d\":1}"};
    for (int i = 0; i < tightening.length; i++) {
      request("t-" + i, T0.plusSeconds(300), tightening[i]);
      publisher().round(T0);
      assertThat(report().path("repair").path("refused").asText()).as(tightening[i])
          .containsAnyOf("would tighten it", "must be 0 or 2");
    }
    assertThat(rpFilter("lxc3c4d")).isZero();
    assertThat(rpFilter("all")).isEqualTo(1);
  }

  @Test
  void onlyChainwatchsSignatureForThisNodeIsObeyed() throws Exception {
    request("u-1", T0, T0.plusSeconds(300), "{\"all\":0}", null, "n1");
    publisher().round(T0);
    assertThat(report().path("repair").path("refused").asText()).contains("signature does not verify");

    request("u-2", T0, T0.plusSeconds(300), "{\"all\":0}", KEY, "n2");
    publisher().round(T0);
    assertThat(report().path("repair").path("refused").asText()).as("signed for another node")
        .contains("signature does not verify for node n1");

    RepairSignature other = new RepairSignature("x".repeat(40).getBytes(StandardCharsets.UTF_8));
    request("u-3", T0, T0.plusSeconds(300), "{\"all\":0}", other, "n1");
    publisher().round(T0);
    assertThat(report().path("repair").path("refused").asText()).contains("signature does not verify");

    ProcHostFacts facts = new ProcHostFacts(proc, "eth0",
        new CiliumHealthClient(proc.resolve("none.sock"), Duration.ofSeconds(1)));
    ReportPublisher keyless = new ReportPublisher("n1", facts,
        (node, report) -> annotations.set(node, NodeReport.ANNOTATION, report), Duration.ofMinutes(5),
        Duration.ofSeconds(30), annotations::get, null);
    request("u-4", T0.plusSeconds(300), "{\"all\":0}");
    keyless.round(T0);
    assertThat(report().path("repair").path("refused").asText()).contains("has no repair key");
    assertThat(rpFilter("all")).isEqualTo(1);
  }

  @Test
  void aRequestLivesAtMostFifteenMinutesAndIsNotDatedInTheFuture() throws Exception {
    request("l-1", T0, Instant.parse("9999-12-31T00:00:00Z"), "{\"all\":0}", KEY, "n1");
    publisher().round(T0);
    assertThat(report().path("repair").path("refused").asText()).contains("longer than PT15M");

    request("l-2", T0.plusSeconds(3600), T0.plusSeconds(3700), "{\"all\":0}", KEY, "n1");
    publisher().round(T0);
    assertThat(report().path("repair").path("refused").asText()).contains("in the future");
    assertThat(rpFilter("all")).isEqualTo(1);
  }

  @Test
  void atMostThreeWritesAnHourEvenForValidRequests() throws Exception {
    ReportPublisher publisher = publisher();
    for (int i = 0; i < 6; i++) {
      rpFilter("lxc1a2b", 1); // reset again and again
      request("h-" + i, T0.plusSeconds(i * 60L), T0.plusSeconds(i * 60L + 300), "{\"lxc1a2b\":0}", KEY, "n1");
      publisher.round(T0.plusSeconds(i * 60L + 1));
    }
    assertThat(rpFilter("lxc1a2b")).as("the fourth and later requests of the hour wrote nothing").isEqualTo(1);
    assertThat(report().path("repair").path("refused").asText())
        .contains("3 repairs were written on this node in the last hour");

    rpFilter("lxc1a2b", 1);
    request("h-later", T0.plusSeconds(3700), T0.plusSeconds(3900), "{\"lxc1a2b\":0}", KEY, "n1");
    publisher.round(T0.plusSeconds(3701));
    assertThat(rpFilter("lxc1a2b")).as("an hour later").isZero();
  }

  @Test
  void aHugeRequestIsIgnoredAndTheReportStaysSmall() throws Exception {
    ReportPublisher publisher = publisher();
    publisher.round(T0);
    int before = client.nodes().withName("n1").get().getMetadata().getAnnotations().get(NodeReport.ANNOTATION)
        .length();
    annotations.set("n1", RepairHandler.ANNOTATION, "{\"version\":1,\"id\":\"" + "x".repeat(100_000) + "\"}");

    publisher.round(T0.plusSeconds(600));

    String after = client.nodes().withName("n1").get().getMetadata().getAnnotations().get(NodeReport.ANNOTATION);
    assertThat(after.length()).isLessThan(before + 200);
    assertThat(report().has("repair")).isFalse();
  }

  @Test
  void withoutRepairTheProbeNeverReadsTheNode() throws Exception {
    request("r-4", T0.plusSeconds(300), "{\"all\":0}");
    ProcHostFacts facts = new ProcHostFacts(proc, "eth0",
        new CiliumHealthClient(proc.resolve("none.sock"), Duration.ofSeconds(1)));
    ReportPublisher publisher = new ReportPublisher("n1", facts,
        (node, report) -> annotations.set(node, NodeReport.ANNOTATION, report), Duration.ofMinutes(5),
        Duration.ofSeconds(30));
    int before = server.getRequestCount();

    publisher.round(T0);

    assertThat(server.getRequestCount() - before).as("one PATCH, no GET").isEqualTo(1);
    assertThat(rpFilter("all")).isEqualTo(1);
    assertThat(report().has("repair")).isFalse();
  }
}
