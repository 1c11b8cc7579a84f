package io.chainwatch.model;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A change of an incident that notifiers deliver: Slack edits the root message or replies in its thread, Kafka
 * audits it (and sends it to the pages topic when {@link #pages()}), Kubernetes Events record it.
 *
 * @param incident the incident after the change
 * @param kind what changed
 * @param text one sentence for the thread (what was done, why it needs a person, ...)
 * @param pages whether it should reach a person (not silenced, not folded into a storm digest)
 * @param mention whether to mention the on-call group (critical and needs a person)
 * @param digest for {@link Kind#DIGEST}: the incidents folded into it, one line each
 * @param at when
 */
public record IncidentChange(Incident incident, Kind kind, String text, boolean pages, boolean mention,
    List<String> digest, Instant at) implements BusMessage {
  public IncidentChange {
    Objects.requireNonNull(incident, "incident");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(at, "at");
    digest = List.copyOf(digest);
  }

  /** What changed. */
  public enum Kind {
    /** A new incident: post its root message. */
    OPENED,
    /** Its findings or evidence changed: edit the root message. */
    UPDATED,
    /** chainwatch is acting (an eviction): edit the root, reply in the thread. */
    ACTING,
    /** A decision or outcome to note in the thread. */
    REPLY,
    /** A person must act: edit the root, reply, mention on-call when critical. */
    ESCALATED,
    /** It came back within the flap window: the same incident, no new root message. */
    REOPENED,
    /** Still unresolved after the re-notify interval. */
    RENOTIFY,
    /** Its findings stayed away for the quiet period. */
    RESOLVED,
    /** Too many incidents at once: one message lists them instead of one each. */
    DIGEST;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
