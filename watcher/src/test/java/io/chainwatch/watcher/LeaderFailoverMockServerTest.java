package io.chainwatch.watcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chainwatch.config.ConfigLoader;
import io.chainwatch.watcher.lead.LeaderGate;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two chainwatch replicas in one JVM against one mock API server: one leads and acts; the other takes over. */
@Tag("slow")
@EnableKubernetesMockClient(crud = true, https = false)
class LeaderFailoverMockServerTest {
  KubernetesClient client;
  KubernetesMockServer server;
  @TempDir Path dir;

  private final Map<String, AtomicInteger> evictions = new ConcurrentHashMap<>();
  private Chainwatch first;
  private Chainwatch second;

  @AfterEach
  void stop() {
    for (Chainwatch replica : new Chainwatch[] {first, second}) {
      if (replica != null) {
        replica.close();
      }
    }
  }

  private Chainwatch replica(String name) {
    Map<String, String> env = new HashMap<>(Map.of(
        "CHAINWATCH_HTTP_PORT", "0",
        "CHAINWATCH_REMEDIATION_MODE", "enforce",
        "CHAINWATCH_STATE_DIR", dir.resolve(name).toString(),
        "CHAINWATCH_EVENTS_ENABLED", "false",
        "CHAINWATCH_LEADER_ELECTION_ENABLED", "true",
        "CHAINWATCH_LEADER_ELECTION_LEASE_DURATION", "PT4S",
        "CHAINWATCH_LEADER_ELECTION_RENEW_DEADLINE", "PT3S",
        "CHAINWATCH_LEADER_ELECTION_RETRY_PERIOD", "PT0.5S"));
    return Chainwatch.start(ConfigLoader.load(null, env), client, Clock.systemUTC(),
        new PrintStream(OutputStream.nullOutputStream()));
  }

  private void answerEvictions(String pod) {
    AtomicInteger count = evictions.computeIfAbsent(pod, p -> new AtomicInteger());
    server.expect().post().withPath("/api/v1/namespaces/shop/pods/" + pod + "/eviction").andReply(201, request -> {
      count.incrementAndGet();
      return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Success\",\"code\":201}";
    }).always();
  }

  private int evictions(String pod) {
    return evictions.getOrDefault(pod, new AtomicInteger()).get();
  }

  @Test
  void theFollowerTakesOverWithinSecondsAndNothingIsEvictedTwice() {
    Instant agentReady = Instant.now().minusSeconds(600);
    client.getConfiguration().setRequestRetryBackoffLimit(0);
    client.nodes().resource(KubeObjects.node("node-1")).create();
    client.pods().resource(KubeObjects.agent("node-1", agentReady)).create();
    answerEvictions("racer-1");
    answerEvictions("racer-2");
    first = replica("first");
    await().atMost(Duration.ofSeconds(15)).until(() -> first.ready() && first.leading());
    second = replica("second");
    await().atMost(Duration.ofSeconds(15)).until(second::ready);

    client.pods().resource(KubeObjects.pod("shop", "racer-1", "node-1", agentReady.minusSeconds(30))).create();
    await().atMost(Duration.ofSeconds(15)).until(() -> evictions("racer-1") == 1);
    assertThat(second.leading()).isFalse();

    long stoppedAt = System.nanoTime();
    first.close();
    first = null;
    await().atMost(Duration.ofSeconds(20)).until(second::leading);
    double takeoverSeconds = (System.nanoTime() - stoppedAt) / 1e9;

    client.pods().resource(KubeObjects.pod("shop", "racer-2", "node-1", agentReady.minusSeconds(30))).create();
    await().atMost(Duration.ofSeconds(15)).until(() -> evictions("racer-2") == 1);
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> evictions("racer-1") == 1);
    System.out.printf("leader takeover after the leader stopped: %.1f s%n", takeoverSeconds);
    assertThat(takeoverSeconds).isLessThan(20);
  }

  @Test
  void aLeaderThatLosesItsLeaseStopsWritingAtOnce() {
    LeaderGate gate = new LeaderGate(client, "chainwatch", "fenced", "replica-a", Duration.ofSeconds(4),
        Duration.ofSeconds(3), Duration.ofMillis(500), Clock.systemUTC());
    try {
      gate.start();
      await().atMost(Duration.ofSeconds(10)).until(gate::mayWriteNow);

      // another replica takes the lease (as after a network partition of this one); the gate renews meanwhile, so
      // the takeover retries on a conflict as a real elector would
      await().atMost(Duration.ofSeconds(10)).ignoreException(io.fabric8.kubernetes.client.KubernetesClientException.class)
          .until(() -> client.leases().inNamespace("chainwatch").withName("fenced").edit(lease -> {
            lease.getSpec().setHolderIdentity("replica-b");
            lease.getSpec().setRenewTime(ZonedDateTime.now());
            lease.getSpec().setLeaseDurationSeconds(60);
            return lease;
          }) != null);

      await().atMost(Duration.ofSeconds(5)).until(() -> !gate.mayWriteNow());
      Lease lease = client.leases().inNamespace("chainwatch").withName("fenced").get();
      assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("replica-b");
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> !gate.mayWriteNow());
    } finally {
      gate.close();
    }
  }

  @Test
  void aFollowerNeverTakesTheLeaseOfALeaderThatRenewsWhateverTheLeadersClockSays() throws Exception {
    // a leader whose clock runs 60 s behind keeps renewing: its renewTime is always a minute old on our clock
    client.leases().inNamespace("chainwatch").resource(new io.fabric8.kubernetes.api.model.coordination.v1
        .LeaseBuilder().withNewMetadata().withNamespace("chainwatch").withName("skewed").endMetadata()
        .withNewSpec().withHolderIdentity("replica-behind").withLeaseDurationSeconds(4)
        .withAcquireTime(ZonedDateTime.now().minusSeconds(120)).withRenewTime(ZonedDateTime.now().minusSeconds(60))
        .withLeaseTransitions(1).endSpec().build()).create();
    java.util.concurrent.ScheduledExecutorService leaderBehind =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    leaderBehind.scheduleAtFixedRate(() -> client.leases().inNamespace("chainwatch").withName("skewed")
        .edit(lease -> {
          if ("replica-behind".equals(lease.getSpec().getHolderIdentity())) {
            lease.getSpec().setRenewTime(ZonedDateTime.now().minusSeconds(60));
          }
          return lease;
        }), 0, 500, java.util.concurrent.TimeUnit.MILLISECONDS);
    LeaderGate follower = new LeaderGate(client, "chainwatch", "skewed", "replica-ahead", Duration.ofSeconds(4),
        Duration.ofSeconds(3), Duration.ofMillis(500), Clock.systemUTC());
    try {
      follower.start();
      // three lease durations: before, the follower took over at its first look (renewTime + 4 s < its now)
      await().during(Duration.ofSeconds(12)).atMost(Duration.ofSeconds(14)).until(() -> !follower.mayWriteNow());
      assertThat(client.leases().inNamespace("chainwatch").withName("skewed").get().getSpec().getHolderIdentity())
          .isEqualTo("replica-behind");

      leaderBehind.shutdownNow(); // the leader stops renewing: the follower takes over after a lease duration
      await().atMost(Duration.ofSeconds(15)).until(follower::mayWriteNow);
    } finally {
      leaderBehind.shutdownNow();
      follower.close();
    }
  }
}
