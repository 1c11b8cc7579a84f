package io.chainwatch.remediation;

import io.chainwatch.bus.BlockingWork;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;

/** The remediation module's blocking calls (the state ConfigMap, repair requests), off the event loop. */
final class WorkerThreads {
  private WorkerThreads() {}

  /**
   * {@code work} on a worker thread. Work asked for while chainwatch shuts down fails as a write this replica may not
   * make ({@link StateWriter.NotPermitted}): nothing is written, and the finding is judged again by the next leader.
   */
  static <T> Future<T> run(Vertx vertx, Callable<T> work) {
    return BlockingWork.onWorker(vertx, work).recover(failure -> Future.failedFuture(
        failure instanceof BlockingWork.ShuttingDown ? new StateWriter.NotPermitted(failure.getMessage()) : failure));
  }
}
