package io.chainwatch.model;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One problem as a person sees it: the findings that share a root cause (a node-level cause groups the pod findings
 * on that node; otherwise one pod), with what chainwatch did about them.
 *
 * @param id stable id; the Kafka key of every record about it, so they stay in order
 * @param rootKey what groups its findings, e.g. {@code missed-cilium-chain:node/10.0.0.11}
 * @param detectorId the detector behind it ({@code remediation} for the breaker)
 * @param cluster the cluster name
 * @param severity the highest severity among its findings
 * @param state where it stands
 * @param title one line
 * @param node the node involved, {@code null} when none
 * @param subjects the objects its findings are about ({@code kind/namespace/name}), open ones first
 * @param openFindings how many of its findings hold now
 * @param summary the latest finding's summary: what is wrong and why
 * @param cause the evidence a person needs, as {@code key: value} lines
 * @param action the action taken or why none, one sentence
 * @param needsPerson why a person must act, {@code null} when chainwatch handles it
 * @param silenced audited but not paged (a node, namespace or detector silence)
 * @param openedAt when it opened (or reopened)
 * @param updatedAt last change
 * @param resolvedAt when it resolved, {@code null} while unresolved
 */
public record Incident(
    String id,
    String rootKey,
    String detectorId,
    String cluster,
    Severity severity,
    State state,
    String title,
    String node,
    List<String> subjects,
    int openFindings,
    String summary,
    List<String> cause,
    String action,
    String needsPerson,
    boolean silenced,
    Instant openedAt,
    Instant updatedAt,
    Instant resolvedAt) {
  public Incident {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(rootKey, "rootKey");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(title, "title");
    subjects = List.copyOf(subjects);
    cause = List.copyOf(cause);
  }

  /** Incident states: open → acting → resolved, or escalated when a person must act. */
  public enum State {
    OPEN,
    ACTING,
    ESCALATED,
    RESOLVED;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
