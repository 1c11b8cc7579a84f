package io.chainwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chainwatch.model.NodeReport;
import io.chainwatch.probe.HealthReading;
import io.chainwatch.probe.RepairHandler;
import io.chainwatch.remediation.policy.RepairRequest;
import io.chainwatch.watcher.view.NodeReports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code chainwatch.io/node-report}, both sides at once: the probe (dependency-free on purpose, so it declares the
 * contract again) writes what the watcher reads, field by field, and both name the same annotations.
 */
class NodeReportContractTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode localNode(String fixture) throws Exception {
    JsonNode status = JSON.readTree(Files.readString(Path.of("..", "probe", "src", "test", "resources", "health-api",
        fixture)));
    String local = status.path("local").path("name").asText();
    for (JsonNode node : status.path("nodes")) {
      if (local.equals(node.path("name").asText())) {
        return node;
      }
    }
    throw new AssertionError("no local node in " + fixture);
  }

  @Test
  void bothSidesNameTheSameAnnotations() {
    assertThat(io.chainwatch.probe.NodeReport.ANNOTATION).isEqualTo(NodeReports.ANNOTATION);
    assertThat(RepairHandler.ANNOTATION).isEqualTo(RepairRequest.ANNOTATION);
  }

  @Test
  void whatTheProbeReportsIsWhatTheWatcherReads() throws Exception {
    Instant at = Instant.parse("2026-11-30T10:00:00Z");
    JsonNode answer = JSON.readTree("{\"id\":\"r-1\",\"at\":\"2026-11-30T09:59:00Z\",\"written\":{\"lxc1a2b\":0},"
        + "\"errors\":{}}");
    String written = io.chainwatch.probe.NodeReport.of(at, "eth0", Map.of("all", 0, "eth0", 2, "lxc1a2b", 1),
        Map.of(), HealthReading.of(localNode("status.v1.18.localhost-endpoint-unreachable.json")), answer).text();

    NodeReport read = NodeReports.parse(written);

    assertThat(read.problem()).isNull();
    assertThat(read.observedAt()).isEqualTo(at);
    assertThat(read.uplink()).isEqualTo("eth0");
    assertThat(read.rpFilter()).isEqualTo(Map.of("all", 0, "eth0", 2, "lxc1a2b", 1));
    assertThat(read.health().endpointPresent()).isTrue();
    assertThat(read.health().unreachable()).as("the local endpoint unreachable, as cilium-health said").isPositive();
    assertThat(read.repair().id()).isEqualTo("r-1");
    assertThat(read.repair().written()).isEqualTo(Map.of("lxc1a2b", 0));
  }

  @Test
  void aProbeThatCouldNotAskCiliumHealthSaysSoAndTheWatcherKeepsTheText() {
    String written = io.chainwatch.probe.NodeReport.of(Instant.parse("2026-11-30T10:00:00Z"), "eth0",
        Map.of("all", 0), Map.of(), HealthReading.failed("cilium-health socket /var/run/cilium/health.sock refused"))
        .text();

    NodeReport read = NodeReports.parse(written);

    assertThat(read.problem()).isNull();
    assertThat(read.health()).isNull();
    assertThat(read.healthError()).contains("refused");
  }

  @Test
  void theCniChainTheProbeReadsIsWhatTheWatcherJudges() throws Exception {
    Path fixtures = Path.of("..", "probe", "src", "test", "resources", "cni");
    for (String node : List.of("aws-chained", "aws-before-cilium", "multus-ahead")) {
      Instant at = Instant.parse("2026-11-30T10:00:00Z");
      String written = io.chainwatch.probe.NodeReport.of(at, "eth0", Map.of("all", 0), Map.of(),
          HealthReading.failed("not asked"), null, new io.chainwatch.probe.CniChainReader(fixtures.resolve(node))
              .read(at)).text();

      NodeReport.CniChain cni = NodeReports.parse(written).cni();

      assertThat(cni.error()).as(node).isNull();
      assertThat(cni.seenSince()).isEqualTo(at);
      assertThat(cni.modifiedAt()).isNotNull();
      switch (node) {
        case "aws-chained" -> {
          assertThat(cni.file()).isEqualTo("05-cilium.conflist");
          assertThat(cni.plugins()).containsExactly("aws-cni", "portmap", "cilium-cni");
          assertThat(cni.leavesCiliumOut()).isFalse();
        }
        case "aws-before-cilium" -> {
          assertThat(cni.plugins()).containsExactly("aws-cni", "portmap");
          assertThat(cni.leavesCiliumOut()).isTrue();
        }
        default -> {
          assertThat(cni.file()).isEqualTo("00-multus.conf");
          assertThat(cni.leavesCiliumOut()).isTrue();
        }
      }
    }
  }

  @Test
  void whereRpFilterComesFromIsReadTheWaySystemdSysctlAppliesIt() throws Exception {
    Path host = Files.createTempDirectory("host");
    Path fixtures = Path.of("..", "probe", "src", "test", "resources", "sysctl");
    Files.copy(fixtures.resolve("50-default.conf"), Files.createDirectories(host.resolve("usr/lib/sysctl.d"))
        .resolve("50-default.conf"));
    Files.copy(fixtures.resolve("99-zzz-override_cilium.conf"), Files.createDirectories(host.resolve("etc/sysctl.d"))
        .resolve("99-zzz-override_cilium.conf"));
    String written = io.chainwatch.probe.NodeReport.of(Instant.parse("2026-11-30T10:00:00Z"), "eth0",
        Map.of("all", 0), Map.of(), HealthReading.failed("not asked"), null, null,
        new io.chainwatch.probe.SysctlProvenance(host).read()).text();

    NodeReport.SysctlSources sources = NodeReports.parse(written).sysctl();

    assertThat(sources.ciliumOverride()).isTrue();
    assertThat(sources.settingFor("eth0")).get().hasToString(
        "/usr/lib/sysctl.d/50-default.conf:26 net.ipv4.conf.*.rp_filter = 2");
    assertThat(sources.settingFor("lxc1a2b")).get().hasToString(
        "/etc/sysctl.d/99-zzz-override_cilium.conf:3 net.ipv4.conf.lxc*.rp_filter = 0");
    assertThat(sources.settingFor("all")).as("systemd's glob excluded from all; Cilium sets it explicitly").get()
        .hasToString("/etc/sysctl.d/99-zzz-override_cilium.conf:7 net.ipv4.conf.all.rp_filter = 0");
  }

  @Test
  void theAgentsEndpointsTheProbeAsksForAreWhatTheWatcherJudges() throws Exception {
    Path socket = Files.createTempDirectory("agent").resolve("cilium.sock");
    byte[] body = Files.readAllBytes(Path.of("..", "probe", "src", "test", "resources", "agent-api",
        "endpoints.v1.15.json"));
    try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      server.bind(java.net.UnixDomainSocketAddress.of(socket));
      Thread agent = new Thread(() -> {
        try (var client = server.accept()) {
          client.read(java.nio.ByteBuffer.allocate(4096));
          var answer = java.nio.ByteBuffer.wrap(concat(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
              + "Content-Length: " + body.length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII),
              body));
          while (answer.hasRemaining()) {
            client.write(answer);
          }
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      agent.start();
      Instant at = Instant.parse("2024-03-23T13:30:00Z");
      String written = io.chainwatch.probe.NodeReport.of(at, "eth0", Map.of("all", 0), Map.of(),
          HealthReading.failed("not asked")).withEndpoints(new io.chainwatch.probe.AgentEndpointsClient(socket,
              java.time.Duration.ofSeconds(5)).read(at)).text();
      agent.join(5000);

      NodeReport.AgentEndpoints endpoints = NodeReports.parse(written).endpoints();

      assertThat(endpoints.error()).isNull();
      assertThat(endpoints.complete()).isTrue();
      assertThat(endpoints.total()).isEqualTo(5);
      assertThat(endpoints.manages("default", "wluo-mvz4t")).isTrue();
      assertThat(endpoints.manages("shop", "cart-0")).as("known by pod-name only").isTrue();
      assertThat(endpoints.manages("default", "other")).isFalse();
      assertThat(endpoints.notReadyOf("shop", "checkout-7c9d8b6f5-q2x7k")).get().satisfies(endpoint -> {
        assertThat(endpoint.state()).isEqualTo("waiting-for-identity");
        assertThat(endpoint.since()).isEqualTo(Instant.parse("2024-03-23T13:14:02Z"));
        assertThat(endpoint.sinceFrom()).isEqualTo("agent");
      });
    }
  }

  private static byte[] concat(byte[] head, byte[] body) {
    byte[] all = java.util.Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    return all;
  }
}
