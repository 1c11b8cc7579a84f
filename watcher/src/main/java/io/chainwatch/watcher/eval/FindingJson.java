package io.chainwatch.watcher.eval;

import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingCleared;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders findings as the one-line JSON objects {@code scan} prints and {@code run} logs. This is a contract others
 * script against: fields may be added, never renamed or removed.
 */
public final class FindingJson {
  private FindingJson() {}

  /** The scan line: detector, severity, node, namespace, pod, action, summary, evidence, then extras. */
  public static JsonObject of(Finding finding) {
    Map<String, Object> fields = new LinkedHashMap<>();
    boolean pod = "Pod".equals(finding.resource().kind());
    fields.put("detector", finding.detectorId());
    fields.put("severity", finding.severity().wireName());
    fields.put("node", finding.node());
    fields.put("namespace", finding.resource().namespace());
    fields.put("pod", pod ? finding.resource().name() : null);
    fields.put("action", finding.action().wireName());
    fields.put("summary", finding.summary());
    fields.put("evidence", new LinkedHashMap<>(finding.evidence()));
    fields.put("reason", finding.reason());
    fields.put("resource", finding.resource().key());
    fields.put("observedAt", finding.observedAt().toString());
    fields.put("dedupKey", finding.dedupKey());
    return new JsonObject(fields);
  }

  /** The log line of a finding that is new or changed. */
  public static String opened(Finding finding) {
    return of(finding).put("status", "open").encode();
  }

  /** The log line of a finding that no longer holds. */
  public static String cleared(FindingCleared cleared) {
    return of(cleared.finding()).put("status", "cleared").put("clearedAt", cleared.clearedAt().toString()).encode();
  }
}
