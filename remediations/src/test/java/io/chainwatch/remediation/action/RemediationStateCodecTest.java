package io.chainwatch.remediation.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainwatch.remediation.policy.EvictionRecord;
import io.chainwatch.remediation.policy.RemediationHistory;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RemediationStateCodecTest {
  private static final Instant T = Instant.parse("2026-11-23T04:00:00Z");

  @Test
  void everyPartOfTheHistorySurvivesTheRoundTrip() {
    RemediationHistory history = new RemediationHistory();
    history.putEviction(new EvictionRecord("shop/web-1", "uid-1", "shop/ReplicaSet/web", "node-a", "k", T,
        EvictionRecord.Status.EVICTED, 0, null, null, false));
    history.putEviction(new EvictionRecord("shop/db-0", "uid-2", "shop/StatefulSet/db", null, null, T,
        EvictionRecord.Status.REQUESTED, 0, null, null, false).refused(T.plusSeconds(20), "db-pdb"));
    history.recordAttempt("shop/web-1", "shop/ReplicaSet/web", T, true);
    history.countRestartFinding("shop/web-1", "node-a", T);
    history.openBreaker(new RemediationHistory.BreakerState(T, T.plusSeconds(3600), "storm"));

    RemediationHistory back = RemediationStateCodec.decode(RemediationStateCodec.encode(history));

    assertThat(back.evictions()).containsExactlyElementsOf(history.evictions());
    assertThat(back.lastPodAttempts()).isEqualTo(history.lastPodAttempts());
    assertThat(back.ownerAttempts()).isEqualTo(history.ownerAttempts());
    assertThat(back.recentEvictions()).isEqualTo(history.recentEvictions());
    assertThat(back.restartFindings()).isEqualTo(history.restartFindings());
    assertThat(back.breaker()).isEqualTo(history.breaker());
    assertThat(RemediationStateCodec.encode(back)).isEqualTo(RemediationStateCodec.encode(history));
  }

  @Test
  void aStormOfAnySizeStaysFarBelowTheConfigMapLimit() {
    RemediationHistory history = new RemediationHistory();
    int maxPods = 20; // the default breaker limit: maxPods + 1 counted findings decide what all would
    for (int i = 0; i < 10_000; i++) {
      history.countRestartFinding("namespace-" + (i % 50) + "/workload-" + i + "-7d9c6b5f4-x2k8p", "node-" + (i % 500),
          T.plusSeconds(i), maxPods + 1);
    }
    for (int i = 0; i < 5_000; i++) {
      EvictionRecord record = new EvictionRecord("namespace-" + (i % 50) + "/workload-" + i + "-7d9c6b5f4-x2k8p",
          "00000000-0000-0000-0000-" + String.format("%012d", i), "namespace/ReplicaSet/workload-" + i, "node-1",
          "missed-cilium-chain:Pod/namespace/workload-" + i + ":no-endpoint", T.plusSeconds(i),
          EvictionRecord.Status.SETTLED, 0, null, null, false);
      history.putEviction(record);
      history.recordAttempt(record.podKey(), record.ownerKey(), T.plusSeconds(i), true);
    }
    // an hour and a half later every evicted pod still exists: their records stay, within the bound
    history.prune(T.plusSeconds(5_400), java.time.Duration.ofMinutes(10), record -> true);

    int bytes = RemediationStateCodec.encode(history).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    System.out.println("remediation state after a storm of 10,000 restart findings and 5,000 evictions: " + bytes
        + " bytes (ConfigMap limit 1,048,576)");
    assertThat(history.restartFindings()).hasSizeLessThanOrEqualTo(maxPods + 1);
    assertThat(history.evictions()).hasSize(1_000);
    assertThat(bytes).isLessThan(1_048_576 / 2);
  }

  @Test
  void anEvictedPodIsRememberedForItsLifetimeAndForgottenAfterItIsGone() {
    RemediationHistory history = new RemediationHistory();
    history.putEviction(new EvictionRecord("shop/web-1", "uid-1", "shop/ReplicaSet/web", "node-a", "k", T,
        EvictionRecord.Status.SETTLED, 0, null, null, false));
    history.putEviction(new EvictionRecord("shop/web-2", "uid-2", "shop/ReplicaSet/web", "node-a", "k", T,
        EvictionRecord.Status.SETTLED, 0, null, null, false));

    history.prune(T.plusSeconds(7 * 24 * 3600), java.time.Duration.ofMinutes(10),
        record -> record.podUid().equals("uid-1"));

    assertThat(history.eviction("uid-1")).as("a week later, its pod still there").isPresent();
    assertThat(history.eviction("uid-2")).as("its pod is gone").isEmpty();
  }

  @Test
  void rejectsWhatItDoesNotUnderstandNamingTheField() {
    assertThatThrownBy(() -> RemediationStateCodec.decode("[]")).hasMessageContaining("not a JSON object");
    assertThatThrownBy(() -> RemediationStateCodec.decode("{\"version\":2}"))
        .hasMessageContaining("version must be 1, got 2");
    assertThatThrownBy(() -> RemediationStateCodec.decode("{\"version\":1,\"evictions\":[{\"podKey\":\"a/b\","
        + "\"podUid\":\"u\",\"ownerKey\":\"o\",\"requestedAt\":\"yesterday\",\"status\":\"evicted\"}]}"))
        .hasMessageContaining("evictions[0].requestedAt must be an RFC 3339 time").hasMessageContaining("yesterday");
    assertThatThrownBy(() -> RemediationStateCodec.decode("{\"version\":1,\"evictions\":[{\"podKey\":\"a/b\","
        + "\"podUid\":\"u\",\"ownerKey\":\"o\",\"requestedAt\":\"2026-11-23T04:00:00Z\",\"status\":\"done\"}]}"))
        .hasMessageContaining("evictions[0].status must be one of").hasMessageContaining("done");
    assertThatThrownBy(() -> RemediationStateCodec.decode("{\"version\":1,\"ownerAttempts\":{\"o\":5}}"))
        .hasMessageContaining("ownerAttempts.o must be a list");
  }

  @Test
  void mergingKeepsWhatEitherCopyKnows() {
    RemediationHistory mine = new RemediationHistory();
    mine.recordAttempt("shop/a", "shop/ReplicaSet/a", T, true);
    RemediationHistory theirs = new RemediationHistory();
    theirs.recordAttempt("shop/b", "shop/ReplicaSet/a", T.plusSeconds(1), true);
    theirs.openBreaker(new RemediationHistory.BreakerState(T, T.plusSeconds(60), "storm"));

    mine.mergeFrom(theirs);

    assertThat(mine.ownerAttemptsSince("shop/ReplicaSet/a", T)).containsExactly(T, T.plusSeconds(1));
    assertThat(mine.lastPodAttempts()).containsKeys("shop/a", "shop/b");
    assertThat(mine.breaker()).isPresent();
    assertThat(mine.evictionsSince(T)).hasSize(2);
    assertThat(List.copyOf(mine.recentEvictions())).isSorted();
  }
}
