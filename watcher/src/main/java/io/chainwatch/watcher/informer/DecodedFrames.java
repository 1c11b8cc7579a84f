package io.chainwatch.watcher.informer;

import io.fabric8.kubernetes.api.model.WatchEvent;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watch events decoded straight from a WebSocket frame's bytes ({@link FrameReadingHttpClientFactory}), waiting for
 * fabric8's watch manager to ask {@link PruningSerialization} for them. fabric8 hands a watch message on only as a
 * String; what it is handed instead is a short token that names the decoded event here.
 *
 * <p>fabric8 asks for the next frame only once a message has been processed, so a handful of events wait here at a
 * time (one per watch). An event is left behind only when fabric8 drops a message (its watch closed meanwhile); those
 * are forgotten once {@link #WINDOW} later events have been handed over. A token whose event is gone fails the
 * decode: fabric8 then closes the watch and the informer lists again, as for any undecodable event.
 */
final class DecodedFrames {
  private static final Logger LOG = LoggerFactory.getLogger(DecodedFrames.class);
  /** Starts every token: a NUL, which no JSON document can start with. */
  private static final String PREFIX = "\u0000chainwatch-decoded-frame-";
  static final int WINDOW = 1024;

  private final ConcurrentHashMap<Long, WatchEvent> waiting = new ConcurrentHashMap<>();
  private final AtomicLong next = new AtomicLong();
  private final AtomicLong forgotten = new AtomicLong();

  /** Keeps {@code event} and returns the token fabric8 passes on in the message's place. */
  String handOver(WatchEvent event) {
    long seq = next.getAndIncrement();
    waiting.put(seq, event);
    if (waiting.size() > WINDOW) {
      long before = seq - WINDOW;
      waiting.keySet().removeIf(left -> {
        boolean leftBehind = left < before;
        if (leftBehind) {
          forgotten.incrementAndGet();
        }
        return leftBehind;
      });
    }
    return PREFIX + seq;
  }

  static boolean isToken(String text) {
    return text.startsWith(PREFIX);
  }

  /**
   * The event behind {@code token}, once.
   *
   * @throws IllegalStateException when it is gone (fabric8 closes the watch and the informer lists again)
   */
  WatchEvent take(String token) {
    long seq = Long.parseLong(token, PREFIX.length(), token.length(), 10);
    WatchEvent event = waiting.remove(seq);
    if (event == null) {
      LOG.warn("Watch frame {} was decoded but is no longer held; the watch restarts and lists again", seq);
      throw new IllegalStateException("watch frame " + seq + " was decoded but is no longer held");
    }
    return event;
  }

  /** Events decoded from frames so far. */
  long handedOver() {
    return next.get();
  }

  /** Events waiting to be asked for (a few at most in a healthy client). */
  int waiting() {
    return waiting.size();
  }

  /** Events left behind by a closed watch and forgotten. */
  long forgotten() {
    return forgotten.get();
  }
}
