package io.chainwatch.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.remediation.action.RemediationStateStore;
import io.chainwatch.remediation.policy.RemediationHistory;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StateWriterTest {
  /**
   * A save asked while chainwatch shuts down (a write's answer arriving as Vert.x closes) used to throw Vert.x's
   * RejectedExecutionException on the event loop, unhandled, and leave the save's waiters waiting forever.
   */
  @Test
  void aSaveAskedOfAClosedVertxFailsItsWaitersInsteadOfThrowing() throws Exception {
    Vertx vertx = Vertx.vertx();
    vertx.close().await(10, TimeUnit.SECONDS);
    // nothing reaches the API server: the write is refused before it starts
    try (KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder().withMasterUrl("https://127.0.0.1:1").build()).build()) {
      RemediationHistory history = new RemediationHistory();
      StateWriter writer = new StateWriter(vertx, new RemediationStateStore(client, "chainwatch", "state"),
          WritePermit.always(), () -> history, merged -> {});

      Future<Void> saved = writer.save();

      assertThat(saved.failed()).as("the save's future is done, and failed").isTrue();
      assertThat(saved.cause()).isInstanceOf(StateWriter.NotPermitted.class).hasMessageContaining("shutting down");
      // the writer is not left "writing": a later save is refused the same way, not queued behind a write that never ends
      assertThat(writer.save().failed()).isTrue();
    }
  }
}
