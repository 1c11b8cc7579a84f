package io.chainwatch.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real HTTP server on a unix socket serving the Cilium fixture bodies. */
class CiliumHealthClientTest {
  @TempDir Path dir;
  private UnixHttpServer server;
  private CiliumHealthClient client;

  static String fixture(String name) throws Exception {
    return Files.readString(Path.of("src/test/resources/health-api", name));
  }

  @BeforeEach
  void start() throws Exception {
    server = new UnixHttpServer(dir.resolve("health.sock"));
    client = new CiliumHealthClient(dir.resolve("health.sock"), Duration.ofMillis(800));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void keepsTheLocalNodesElementVerbatim() throws Exception {
    server.answer(200, fixture("status.v1.18.localhost-endpoint-unreachable.json"));

    HealthReading reading = client.localNode();

    assertThat(reading.error()).isNull();
    assertThat(reading.localNode().path("name").asText()).isEqualTo("tke-cluster/10.0.0.11");
    assertThat(reading.localNode().path("health-endpoint").path("primary-address").path("icmp").path("status")
        .asText()).isEqualTo("Connection timed out");
    assertThat(reading.localNode().path("host").path("primary-address").path("http").path("latency").asLong())
        .isEqualTo(301234);
  }

  @Test
  void readsChunkedAnswersAndEveryFixtureShape() throws Exception {
    server.chunked(true);
    for (String name : new String[] {"status.v1.18.healthy.json", "status.v1.14-1.17.chaining-no-health-endpoint.json",
        "status.v1.14-1.17.localhost-endpoint-unknown-and-remote-unreachable.json"}) {
      server.answer(200, fixture(name));

      HealthReading reading = client.localNode();

      assertThat(reading.error()).as(name).isNull();
      assertThat(reading.localNode().has("host")).as(name).isTrue();
    }
    assertThat(client.localNode().localNode().has("health-endpoint")).isTrue();
    server.answer(200, fixture("status.v1.14-1.17.chaining-no-health-endpoint.json"));
    assertThat(client.localNode().localNode().has("health-endpoint")).as("chaining: no health endpoint").isFalse();
  }

  @Test
  void failuresAreReportedNeverThrown() throws Exception {
    server.answer(200, "{\"local\": {\"name\": \"n1\"}, \"nodes\": [");
    assertThat(client.localNode().error()).contains("malformed JSON");

    server.answer(200, "{\"local\": {\"name\": \"n1\"}, \"nodes\": [{\"name\": \"n2\"}]}");
    assertThat(client.localNode().error()).contains("no node named n1");

    server.answer(500, "{\"message\": \"health server not ready\"}");
    assertThat(client.localNode().error()).contains("HTTP 500", "not ready");

    server.raw("SSH-2.0-OpenSSH\r\n\r\n");
    assertThat(client.localNode().error()).contains("not an HTTP answer");
  }

  @Test
  void hostileFramingIsAnErrorInTheReadingNeverAnException() throws Exception {
    server.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7FFFFFFF\r\n{}\r\n0\r\n\r\n");
    assertThat(client.localNode().error()).contains("chunk size 7FFFFFFF is outside");

    server.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n{}\r\n0\r\n\r\n");
    assertThat(client.localNode().error()).contains("chunk size -1 is outside");

    server.raw("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n{}");
    assertThat(client.localNode().error()).contains("malformed Content-Length: abc");

    server.raw("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n{}");
    assertThat(client.localNode().error()).contains("Content-Length 99999999999 is outside");
  }

  @Test
  void aSlowAgentCostsAtMostTheTimeout() throws Exception {
    server.answer(200, fixture("status.v1.18.healthy.json")).delay(Duration.ofSeconds(3));

    long start = System.nanoTime();
    HealthReading reading = client.localNode();
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(reading.error()).contains("no complete answer within 800 ms");
    assertThat(millis).isLessThan(2500);
  }

  @Test
  void aMissingSocketSaysWhereItLooked() {
    HealthReading reading = new CiliumHealthClient(dir.resolve("absent.sock"), Duration.ofSeconds(1)).localNode();

    assertThat(reading.localNode()).isNull();
    assertThat(reading.error()).contains("absent.sock", "does not exist");
  }

  @Test
  void aSocketWhoseListenerIsGoneIsTakenForStaleAfterThreeRefusedRoundsAndAnAnswerResetsTheCount() throws Exception {
    // what a bind-mounted socket looks like after the agent recreated its own: the file is there, nobody listens
    Path stale = dir.resolve("stale.sock");
    try (var listener = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      listener.bind(java.net.UnixDomainSocketAddress.of(stale));
    }
    assertThat(stale).exists();
    CiliumHealthClient onStale = new CiliumHealthClient(stale, Duration.ofSeconds(1));

    HealthReading first = onStale.localNode();
    assertThat(first.error()).contains("refused the connection (1 rounds in a row)");
    assertThat(onStale.looksStale()).as("one refusal: the agent may be restarting").isFalse();
    onStale.localNode();
    HealthReading third = onStale.localNode();
    assertThat(onStale.looksStale()).isTrue();
    assertThat(third.error()).contains("restarts to mount the current socket");

    Files.delete(stale); // the agent is back with a socket at the same path (in a new container's mount)
    try (UnixHttpServer agent = new UnixHttpServer(stale)) {
      agent.answer(200, fixture("status.v1.18.healthy.json"));
      assertThat(onStale.localNode().error()).isNull();
      assertThat(onStale.looksStale()).as("an answer resets the count").isFalse();
    }
  }
}
