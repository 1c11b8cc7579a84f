package io.chainwatch.watcher.eval;

import io.chainwatch.bus.BusAddresses;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingCleared;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.io.PrintStream;

/**
 * Writes every new, changed or cleared finding as one JSON line to its own stream (stdout in production; logs go to
 * stderr), so the lines can be parsed without stripping a log prefix. The notifiers take over delivery later.
 */
public final class FindingLogVerticle extends VerticleBase {
  private final PrintStream out;

  public FindingLogVerticle(PrintStream out) {
    this.out = out;
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<Finding>localConsumer(BusAddresses.FINDINGS,
        message -> out.println(FindingJson.opened(message.body())));
    vertx.eventBus().<FindingCleared>localConsumer(BusAddresses.FINDINGS_CLEARED,
        message -> out.println(FindingJson.cleared(message.body())));
    return Future.succeededFuture();
  }
}
