package io.chainwatch.model;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The blast-radius breaker opened (stop all evictions, page once: a storm of restart findings is likely a
 * cluster-wide Cilium problem that restarts cannot fix) or closed again.
 *
 * @param open true when it opened
 * @param reason one sentence: which limit was exceeded, or why it closed
 * @param evidence pods and nodes counted, limits, window (JSON-ready values)
 * @param at when
 * @param closesAt when it closes by itself unless a person resets it earlier; {@code null} when closing
 */
public record BreakerChange(boolean open, String reason, Map<String, Object> evidence, Instant at, Instant closesAt)
    implements BusMessage {
  public BreakerChange {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(at, "at");
    evidence = Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
  }
}
