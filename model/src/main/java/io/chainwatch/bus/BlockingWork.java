package io.chainwatch.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

/** The one way chainwatch's modules hand blocking work (files, API calls) from an event loop to a worker thread. */
public final class BlockingWork {
  private BlockingWork() {}

  /** Work asked for while Vert.x closes: its worker pool is shut down and refuses it. */
  public static final class ShuttingDown extends RuntimeException {
    ShuttingDown(RejectedExecutionException refused) {
      super("chainwatch is shutting down", refused);
    }
  }

  /**
   * {@code work} on a worker thread, in order with the calling context's other blocking work. Once Vert.x is closing
   * the call fails with {@link ShuttingDown} instead of throwing on the event loop (where nobody catches it, and
   * whoever waits for the work would wait forever).
   */
  public static <T> Future<T> onWorker(Vertx vertx, Callable<T> work) {
    try {
      return vertx.executeBlocking(work);
    } catch (RejectedExecutionException refused) {
      return Future.failedFuture(new ShuttingDown(refused));
    }
  }
}
