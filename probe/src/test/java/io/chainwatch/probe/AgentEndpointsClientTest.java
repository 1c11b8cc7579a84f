package io.chainwatch.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real HTTP server on a unix socket serving the agent's endpoint model (fixtures in agent-api/). */
class AgentEndpointsClientTest {
  private static final Instant NOW = Instant.parse("2024-03-23T13:30:00Z");
  @TempDir Path dir;
  private UnixHttpServer server;
  private AgentEndpointsClient client;

  static String fixture() throws Exception {
    return Files.readString(Path.of("src/test/resources/agent-api/endpoints.v1.15.json"));
  }

  @BeforeEach
  void start() throws Exception {
    server = new UnixHttpServer(dir.resolve("cilium.sock"));
    client = new AgentEndpointsClient(dir.resolve("cilium.sock"), Duration.ofMillis(1500));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void reportsCountsTheNotReadyEndpointsWithTheAgentsSinceAndEveryManagedPod() throws Exception {
    for (boolean chunked : new boolean[] {false, true}) {
      server.answer(200, fixture()).chunked(chunked);

      ObjectNode section = client.read(NOW);

      assertThat(section.has("error")).as(section.toString()).isFalse();
      assertThat(section.path("total").asInt()).isEqualTo(5);
      assertThat(section.path("byState").toString())
          .isEqualTo("{\"ready\":3,\"regenerating\":1,\"waiting-for-identity\":1}");
      JsonNode notReady = section.path("notReady");
      assertThat(notReady).hasSize(2);
      // the longest stuck first; since = the first log entry of the last run in the current state
      assertThat(notReady.get(0).toString()).isEqualTo("{\"id\":1201,\"pod\":\"shop/checkout-7c9d8b6f5-q2x7k\","
          + "\"state\":\"waiting-for-identity\",\"since\":\"2024-03-23T13:14:02Z\",\"sinceFrom\":\"agent\"}");
      assertThat(notReady.get(1).toString()).isEqualTo("{\"id\":880,\"pod\":\"shop/cart-0\",\"state\":\"regenerating\","
          + "\"since\":\"2024-03-23T13:19:30Z\",\"sinceFrom\":\"agent\"}");
      // the health and host endpoints are no pods ("/" is no pod name); cart-0 is known by the older pod-name only
      assertThat(texts(section.path("pods")))
          .containsExactly("default/wluo-mvz4t", "shop/cart-0", "shop/checkout-7c9d8b6f5-q2x7k");
      assertThat(section.has("podsOmitted")).isFalse();
    }
  }

  @Test
  void withoutALogTheProbesOwnFirstSightingIsTheSinceAndItHoldsAcrossRounds() throws Exception {
    String body = "[" + endpoint(7, "shop", "a-0", "not-ready", null) + "]";
    server.answer(200, body);

    ObjectNode first = client.read(NOW);
    ObjectNode later = client.read(NOW.plusSeconds(60));

    assertThat(first.path("notReady").get(0).path("since").asText()).isEqualTo(NOW.toString());
    assertThat(first.path("notReady").get(0).path("sinceFrom").asText()).isEqualTo("probe");
    assertThat(later.path("notReady").get(0).path("since").asText()).as("still since the first sighting")
        .isEqualTo(NOW.toString());

    server.answer(200, "[" + endpoint(7, "shop", "a-0", "ready", null) + "]");
    client.read(NOW.plusSeconds(90));
    server.answer(200, body);
    assertThat(client.read(NOW.plusSeconds(120)).path("notReady").get(0).path("since").asText())
        .as("ready in between: a new episode").isEqualTo(NOW.plusSeconds(120).toString());
  }

  @Test
  void anEmptyListIsNoEndpointsWhetherEncodedAsArrayOrNull() {
    for (String body : new String[] {"[]", "null", " [ ] "}) {
      server.answer(200, body);
      ObjectNode section = client.read(NOW);
      assertThat(section.has("error")).as(body).isFalse();
      assertThat(section.path("total").asInt()).isZero();
      assertThat(section.path("pods")).isEmpty();
    }
  }

  @Test
  void twoHundredFiftyEndpointsOfTwentyKibEachAreReadAndFitTheAnnotationBudget() throws Exception {
    String padding = "\"controllers\": [" + "{\"name\": \"sync-to-k8s-ciliumendpoint\", \"status\": {\"success-count\": 1}},"
        .repeat(300) + "{}],";
    StringBuilder body = new StringBuilder("[");
    for (int i = 0; i < 250; i++) {
      body.append(i == 0 ? "" : ",").append(endpoint(i, "ns" + (i % 7), "deployment-5d8f7c9b4-" + i,
          i % 50 == 0 ? "waiting-to-regenerate" : "ready", padding));
    }
    String text = body.append("]").toString();
    assertThat(text.length()).isGreaterThan(250 * 20 * 1024);
    server.answer(200, text).chunked(true);

    ObjectNode section = client.read(NOW);

    assertThat(section.has("error")).as(section.path("error").asText()).isFalse();
    assertThat(section.path("total").asInt()).isEqualTo(250);
    assertThat(section.path("pods")).hasSize(250);
    assertThat(section.path("notReady")).hasSize(5);
    assertThat(section.toString().length()).as("the section's share of the 256 KiB annotation").isLessThan(24 * 1024);
  }

  @Test
  void aHugeListIsCountedWhatDoesNotFitIsSaidToBeCut() {
    StringBuilder body = new StringBuilder("[");
    int count = 20_000;
    for (int i = 0; i < count; i++) {
      body.append(i == 0 ? "" : ",").append(endpoint(i, "namespace-with-a-long-name", "pod-" + i,
          i % 100 == 0 ? "not-ready" : "ready", null));
    }
    server.answer(200, body.append("]").toString());

    ObjectNode section = client.read(NOW);

    assertThat(section.path("total").asInt()).isEqualTo(count);
    assertThat(section.path("notReady")).hasSize(AgentEndpointsClient.MAX_LISTED_NOT_READY);
    assertThat(section.path("notReadyOmitted").asInt()).isEqualTo(count / 100 - AgentEndpointsClient.MAX_LISTED_NOT_READY);
    assertThat(section.path("podsOmitted").asInt()).as("past the budget and past %d kept endpoints",
        AgentEndpointsClient.MAX_ENDPOINTS).isEqualTo(count - section.path("pods").size());
    assertThat(section.toString().length()).isLessThan(AgentEndpointsClient.MAX_POD_CHARS + 16 * 1024);
  }

  @Test
  void hostileAnswersAreErrorsInTheSectionNeverExceptions() {
    List<String> errors = new ArrayList<>();
    server.answer(200, "{\"message\": \"not a list\"}");
    errors.add(client.read(NOW).path("error").asText());
    server.answer(200, "[{\"id\": 1, \"status\": {\"state\": \"ready\"");
    errors.add(client.read(NOW).path("error").asText());
    server.answer(200, "[{\"id\": 1}] garbage");
    errors.add(client.read(NOW).path("error").asText());
    server.answer(200, "[" + "[".repeat(500) + "]".repeat(500) + "]");
    errors.add(client.read(NOW).path("error").asText());
    server.answer(500, "{\"code\": 500, \"message\": \"endpoint manager not ready\"}");
    errors.add(client.read(NOW).path("error").asText());
    server.raw("SSH-2.0-OpenSSH\r\n\r\n");
    errors.add(client.read(NOW).path("error").asText());

    assertThat(errors.get(0)).contains("not a JSON array");
    assertThat(errors.get(1)).contains("ended before it was complete");
    assertThat(errors.get(2)).contains("malformed JSON");
    assertThat(errors.get(3)).containsAnyOf("holds an array where an endpoint belongs", "nesting depth");
    assertThat(errors.get(4)).contains("HTTP 500", "endpoint manager not ready");
    assertThat(errors.get(5)).contains("not an HTTP answer");
  }

  @Test
  void anEndlessAnswerEndsAtTheDeadline() {
    server.endless("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[",
        endpoint(1, "a", "b", "ready", null) + ",");

    long start = System.nanoTime();
    ObjectNode section = client.read(NOW);
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(section.path("error").asText()).contains("no complete answer within 1500 ms");
    assertThat(millis).isLessThan(10_000);
  }

  @Test
  void aSlowAgentCostsAtMostTheTimeout() throws Exception {
    server.answer(200, fixture()).delay(Duration.ofSeconds(4));

    assertThat(client.read(NOW).path("error").asText()).contains("no complete answer within 1500 ms");
  }

  @Test
  void aMissingSocketOrAStaleOneSaysSo() throws Exception {
    assertThat(new AgentEndpointsClient(dir.resolve("absent.sock"), Duration.ofSeconds(1)).read(NOW).path("error")
        .asText()).contains("absent.sock", "does not exist");

    Path stale = dir.resolve("stale.sock");
    try (var listener = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      listener.bind(java.net.UnixDomainSocketAddress.of(stale));
    }
    AgentEndpointsClient onStale = new AgentEndpointsClient(stale, Duration.ofSeconds(1));
    onStale.read(NOW);
    onStale.read(NOW);
    assertThat(onStale.looksStale()).isFalse();
    assertThat(onStale.read(NOW).path("error").asText()).contains("refused", "restarts to mount the current socket");
    assertThat(onStale.looksStale()).isTrue();
  }

  /** One endpoint in the agent's model; {@code extra} is spliced into its status (bulk the client must skip). */
  static String endpoint(long id, String namespace, String pod, String state, String extra) {
    return "{\"id\": " + id + ", \"spec\": {\"options\": {\"Conntrack\": \"Enabled\"}}, \"status\": {"
        + (extra == null ? "" : extra)
        + "\"external-identifiers\": {\"container-id\": \"c" + id + "\", \"k8s-namespace\": \"" + namespace
        + "\", \"k8s-pod-name\": \"" + pod + "\", \"pod-name\": \"" + namespace + "/" + pod + "\"},"
        + "\"identity\": {\"id\": " + (40000 + id) + ", \"labels\": [\"k8s:app=x\"]},"
        + "\"networking\": {\"addressing\": [{\"ipv4\": \"10.0.0.1\"}], \"interface-name\": \"lxc" + id + "\"},"
        + "\"state\": \"" + state + "\"}}";
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(element -> texts.add(element.asText()));
    return texts;
  }
}
