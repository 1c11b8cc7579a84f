package io.chainwatch.watcher.scan;

import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingFacts;
import io.chainwatch.model.Severity;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * The {@code scan --format text} report a person reads in a terminal: findings grouped by severity, each with what is
 * wrong, where, its evidence and the fix. Colour only when asked (stdout is a terminal).
 */
final class TextReport {
  private static final String RESET = "\u001b[0m";
  private static final Map<Severity, String> COLOURS = Map.of(Severity.CRITICAL, "\u001b[1;31m",
      Severity.WARNING, "\u001b[1;33m", Severity.INFO, "\u001b[1;36m");
  private static final int MAX_EVIDENCE_VALUE = 160;

  private TextReport() {}

  static void print(List<Finding> findings, PrintStream out, boolean colour) {
    if (findings.isEmpty()) {
      out.println("No findings.");
      return;
    }
    for (Severity severity : Severity.values()) {
      List<Finding> group = findings.stream().filter(f -> f.severity() == severity).toList();
      if (group.isEmpty()) {
        continue;
      }
      String title = severity.name() + " (" + group.size() + ")";
      out.println(colour ? COLOURS.get(severity) + title + RESET : title);
      for (Finding finding : group) {
        String where = finding.resource().key() + (finding.node() == null ? "" : " on node " + finding.node());
        out.println("  " + finding.detectorId() + ": " + Terminal.safe(where));
        out.println("    " + Terminal.safe(finding.summary()));
        finding.evidence().forEach((key, value) -> {
          if (!FindingFacts.NOT_CAUSE.contains(key) && value != null) {
            String text = String.valueOf(value);
            out.println("      " + key + ": " + Terminal.safe(text.length() > MAX_EVIDENCE_VALUE
                ? text.substring(0, MAX_EVIDENCE_VALUE) + "…" : text));
          }
        });
        String why = finding.facts().actionReason();
        out.println("    action: " + finding.action().wireName() + (why == null ? "" : " (" + Terminal.safe(
            String.valueOf(why)) + ")"));
      }
      out.println();
    }
  }
}
