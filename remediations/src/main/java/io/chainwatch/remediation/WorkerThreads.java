package io.chainwatch.remediation;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

/** The remediation module's blocking calls (the state ConfigMap, repair requests), off the event loop. */
final class WorkerThreads {
  private WorkerThreads() {}

  /**
   * {@code work} on a worker thread. Vert.x refuses work once it is closing (its worker pool is shut down): a call
   * asked then fails, as a write this replica may not make, instead of throwing on the event loop and leaving whoever
   * waits for it waiting forever.
   */
  static <T> Future<T> run(Vertx vertx, Callable<T> work) {
    try {
      return vertx.executeBlocking(work);
    } catch (RejectedExecutionException closing) {
      return Future.failedFuture(new StateWriter.NotPermitted("chainwatch is shutting down"));
    }
  }
}
