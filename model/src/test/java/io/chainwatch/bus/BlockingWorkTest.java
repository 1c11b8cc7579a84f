package io.chainwatch.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class BlockingWorkTest {
  @Test
  void workRunsOnAWorkerThreadInOrder() throws Exception {
    Vertx vertx = Vertx.vertx();
    CountDownLatch secondAsked = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    try {
      StringBuilder order = new StringBuilder();
      Promise<String> both = Promise.promise();
      vertx.runOnContext(onEventLoop -> { // asked from an event loop, as the verticles ask
        Future<Void> first = BlockingWork.onWorker(vertx, () -> {
          // held until the second was asked too: run out of order, the second would append before this one
          releaseFirst.await(10, TimeUnit.SECONDS);
          synchronized (order) {
            order.append("first ");
          }
          return null;
        });
        Future<String> second = BlockingWork.onWorker(vertx, () -> {
          synchronized (order) {
            return order.append("second on ").append(Thread.currentThread().getName()).toString();
          }
        });
        secondAsked.countDown();
        first.compose(done -> second).onComplete(both);
      });
      assertThat(secondAsked.await(10, TimeUnit.SECONDS)).isTrue();
      releaseFirst.countDown();

      assertThat(both.future().await(10, TimeUnit.SECONDS)).startsWith("first second on vert.x-worker-thread");
    } finally {
      releaseFirst.countDown();
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
