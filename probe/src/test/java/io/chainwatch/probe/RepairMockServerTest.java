package io.chainwatch.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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

  private ReportPublisher publisher() {
    ProcHostFacts facts = new ProcHostFacts(proc, "eth0",
        new CiliumHealthClient(proc.resolve("none.sock"), Duration.ofSeconds(1)));
    return new ReportPublisher("n1", facts, (node, report) -> annotations.set(node, NodeReport.ANNOTATION, report),
        Duration.ofMinutes(5), Duration.ofSeconds(30), annotations::get);
  }

  private void request(String id, Instant expiresAt, String values) throws Exception {
    annotations.set("n1", RepairHandler.ANNOTATION, "{\"version\":1,\"id\":\"" + id + "\",\"requestedAt\":\""
        + T0 + "\",\"expiresAt\":\"" + expiresAt + "\",\"rpFilter\":" + values + ",\"attempts\":[\"" + T0 + "\"]}");
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
  void writesOnlyInterfacesItReportsThatExistAndNamesEachRefusal() throws Exception {
    request("r-2", T0.plusSeconds(300),
        "{\"lxc3c4d\":0,\"docker0\":0,\"lxcgone\":0,\"../../../etc\":0,\"cilium_host\":0}");

    publisher().round(T0);

    JsonNode repair = report().path("repair");
    assertThat(repair.path("written").fieldNames()).toIterable().containsExactly("cilium_host", "lxc3c4d");
    assertThat(repair.path("errors").path("docker0").asText()).contains("not an interface the probe reports");
    assertThat(repair.path("errors").path("../../../etc").asText()).contains("not an interface the probe reports");
    assertThat(repair.path("errors").path("lxcgone").asText()).contains("does not exist");
    assertThat(rpFilter("docker0")).isEqualTo(1);
    assertThat(Files.exists(proc.resolve("sys/net/ipv4/conf/lxcgone"))).as("nothing created").isFalse();
  }

  @Test
  void aRequestThatDoesNotFitIsRefusedWithTheFieldNamed() throws Exception {
    request("r-3", T0.plusSeconds(300), "{\"all\":7}");

    publisher().round(T0);

    assertThat(rpFilter("all")).isEqualTo(1);
    assertThat(report().path("repair").path("refused").asText()).isEqualTo("rpFilter.all must be 0, 1 or 2, got 7");
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
