package io.chainwatch.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class BlockingWorkTest {
  @Test
  void workRunsOnAWorkerThreadInOrder() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      StringBuilder order = new StringBuilder();
      Promise<String> both = Promise.promise();
      vertx.runOnContext(onEventLoop -> { // asked from an event loop, as the verticles ask
        Future<Void> first = BlockingWork.onWorker(vertx, () -> {
          Thread.sleep(50);
          order.append("first ");
          return null;
        });
        Future<String> second = BlockingWork.onWorker(vertx, () ->
            order.append("second on ").append(Thread.currentThread().getName()).toString());
        first.compose(done -> second).onComplete(both);
      });

      assertThat(both.future().await(10, TimeUnit.SECONDS)).startsWith("first second on vert.x-worker-thread");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void workAskedOfAClosedVertxFailsInsteadOfThrowing() throws Exception {
    Vertx vertx = Vertx.vertx();
    vertx.close().await(10, TimeUnit.SECONDS);
    AtomicBoolean ran = new AtomicBoolean();

    Future<Boolean> refused = BlockingWork.onWorker(vertx, () -> ran.getAndSet(true));

    assertThat(refused.failed()).as("done, and failed").isTrue();
    assertThat(refused.cause()).isInstanceOf(BlockingWork.ShuttingDown.class)
        .hasMessage("chainwatch is shutting down");
    assertThat(ran).isFalse();
  }
}
