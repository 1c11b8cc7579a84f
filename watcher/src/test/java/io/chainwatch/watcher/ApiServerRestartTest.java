package io.chainwatch.watcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chainwatch.config.ConfigLoader;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The API server goes away and comes back with other contents (objects deleted while the watch was down): the view
 * must converge, findings must withdraw, readiness must drop and return.
 */
@Tag("slow")
class ApiServerRestartTest {
  /** Incidents and the spool of this test, apart from every other run's (the default is /var/lib/chainwatch). */
  @org.junit.jupiter.api.io.TempDir
  java.nio.file.Path stateDir;

  private static KubernetesMockServer server(int port) throws Exception {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
        new KubernetesMixedDispatcher(responses), false);
    server.init(InetAddress.getLoopbackAddress(), port);
    return server;
  }

  private static void cluster(KubernetesClient client, Instant agentReady, String... racers) {
    client.nodes().resource(KubeObjects.node("node-1")).create();
    client.pods().resource(KubeObjects.agent("node-1", agentReady)).create();
    for (String racer : racers) {
      client.pods().resource(KubeObjects.pod("shop", racer, "node-1", agentReady.minusSeconds(30))).create();
    }
  }

  @Test
  void theViewConvergesAfterTheApiServerRestartsWithObjectsDeletedMeanwhile() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Instant agentReady = Instant.now().minusSeconds(600);
    KubernetesMockServer first = server(port);
    KubernetesClient client = first.createClient();
    client.getConfiguration().setRequestRetryBackoffLimit(0);
    cluster(client, agentReady, "racer-a", "racer-b");
    Chainwatch chainwatch = Chainwatch.start(ConfigLoader.load(null, Map.of("CHAINWATCH_HTTP_PORT", "0",
        "CHAINWATCH_EVENTS_ENABLED", "false", "CHAINWATCH_SWEEP_INTERVAL", "PT5S",
        "CHAINWATCH_STATE_DIR", stateDir.toString())), client, Clock.systemUTC(),
        new PrintStream(OutputStream.nullOutputStream()));
    KubernetesMockServer second = null;
    try {
      await().atMost(Duration.ofSeconds(15)).until(() -> chainwatch.ready() && chainwatch.openFindings().size() == 2);

      first.destroy();
      await().atMost(Duration.ofSeconds(20)).until(() -> !chainwatch.ready());
      // an outage longer than a watch reconnect: the API server is away for several seconds
      await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(7)).until(() -> !chainwatch.ready());
      second = server(port);
      KubernetesClient restarted = second.createClient();
      cluster(restarted, agentReady, "racer-a"); // racer-b was deleted while chainwatch could not watch
      long back = System.nanoTime();

      await().atMost(Duration.ofSeconds(60)).until(() -> chainwatch.ready()
          && chainwatch.view().pod("shop", "racer-b").isEmpty());
      double seconds = (System.nanoTime() - back) / 1e9;
      await().atMost(Duration.ofSeconds(15)).until(() -> chainwatch.openFindings().size() == 1);
      List<String> open = chainwatch.openFindings().stream().map(f -> f.resource().name()).toList();
      System.out.printf("API server restarted with racer-b deleted: view converged and ready in %.1f s; open: %s%n",
          seconds, open);
      assertThat(open).containsExactly("racer-a");
    } finally {
      chainwatch.close();
      client.close();
      if (second != null) {
        second.destroy();
      }
    }
  }
}
