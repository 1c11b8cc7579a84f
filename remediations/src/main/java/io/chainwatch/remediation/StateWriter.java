package io.chainwatch.remediation;

import io.chainwatch.remediation.action.RemediationStateCodec;
import io.chainwatch.remediation.action.RemediationStateStore;
import io.chainwatch.remediation.policy.RemediationHistory;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves the remediation history to its ConfigMap: writes are coalesced (one write carries everything decided
 * meanwhile), conditional on the resourceVersion read, and asked of the write permit right before they happen. On a
 * conflict the state in the cluster is read, merged into the history, and the waiters of that write fail with
 * {@link StateChanged}: what was decided on the older state is decided again. Used on one event loop.
 */
final class StateWriter {
  private static final Logger LOG = LoggerFactory.getLogger(StateWriter.class);
  private static final int MAX_CONFLICT_RETRIES = 3;

  private final Vertx vertx;
  private final RemediationStateStore store;
  private final WritePermit permit;
  private final Supplier<RemediationHistory> history;
  private final Consumer<RemediationStateStore.Stored> onMerged;
  private final List<Promise<Void>> waiters = new ArrayList<>();
  private String resourceVersion;
  private boolean writing;
  private int conflicts;

  /**
   * @param history the history to write, as it is when the write starts
   * @param onMerged called after a conflict merged the cluster's state (a person's breaker reset is seen there)
   */
  StateWriter(Vertx vertx, RemediationStateStore store, WritePermit permit, Supplier<RemediationHistory> history,
      Consumer<RemediationStateStore.Stored> onMerged) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.store = Objects.requireNonNull(store, "store");
    this.permit = Objects.requireNonNull(permit, "permit");
    this.history = Objects.requireNonNull(history, "history");
    this.onMerged = Objects.requireNonNull(onMerged, "onMerged");
  }

  /** The version the next write is conditional on: the one just read. */
  void readAt(String version) {
    resourceVersion = version;
  }

  /** Writes the history; concurrent calls share one write. Fails with {@link NotPermitted} when not allowed. */
  Future<Void> save() {
    Promise<Void> done = Promise.promise();
    waiters.add(done);
    if (!writing) {
      writeNow();
    }
    return done.future();
  }

  private void writeNow() {
    writing = true;
    List<Promise<Void>> batch = new ArrayList<>(waiters);
    waiters.clear();
    String json = RemediationStateCodec.encode(history.get());
    String version = resourceVersion;
    WorkerThreads.run(vertx, () -> {
      if (!permit.mayWriteNow()) {
        throw new NotPermitted("not the leader, or the lease is past its renew deadline");
      }
      return store.save(json, version);
    }).onComplete(written -> {
      if (written.succeeded()) {
        conflicts = 0;
        resourceVersion = written.result();
        batch.forEach(Promise::complete);
        finishWrite();
      } else if (written.cause() instanceof RemediationStateStore.Conflict && conflicts++ < MAX_CONFLICT_RETRIES) {
        LOG.info("Remediation state changed in the cluster; merging, and deciding again what was about to be done");
        WorkerThreads.run(vertx, store::load).onComplete(reloaded -> {
          if (reloaded.succeeded()) {
            history.get().mergeFrom(reloaded.result().history());
            resourceVersion = reloaded.result().resourceVersion();
            onMerged.accept(reloaded.result());
          }
          // Another writer acted meanwhile (an overlap of two leaders): an intent decided on the older state may break
          // a rail the merged state now shows (one pod per owner). Its waiter withdraws it and decides again; the
          // rest of the merged history is written in the next write.
          StateChanged changed = new StateChanged();
          batch.forEach(promise -> promise.fail(changed));
          writing = false;
          waiters.add(Promise.promise());
          writeNow();
        });
      } else {
        conflicts = 0;
        LOG.warn("Remediation state not saved: {}", written.cause().getMessage());
        batch.forEach(promise -> promise.fail(written.cause()));
        finishWrite();
      }
    });
  }

  private void finishWrite() {
    writing = false;
    if (!waiters.isEmpty()) {
      writeNow();
    }
  }

  /** The state in the cluster changed before this write: what was decided on the older state is decided again. */
  static final class StateChanged extends RuntimeException {
    StateChanged() {
      super("the remediation state changed in the cluster meanwhile; deciding again on the merged state", null, false,
          false);
    }
  }

  /** The write was not allowed: this replica is not (or no longer surely) the leader. */
  static final class NotPermitted extends RuntimeException {
    NotPermitted(String message) {
      super(message, null, false, false);
    }
  }
}
