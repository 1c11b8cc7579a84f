package io.chainwatch.notifier.alert;

import io.chainwatch.model.Incident;
import io.chainwatch.model.IncidentChange;
import io.chainwatch.model.IncidentChange.Kind;
import io.chainwatch.model.Severity;
import java.time.Instant;
import java.util.List;

/** Incident changes for the pager tests: an rp_filter incident on node n1 in cluster prod. */
public final class Incidents {
  public static final Instant T0 = Instant.parse("2026-11-23T04:00:00Z");

  private Incidents() {}

  /** A change of kind {@code kind} whose text is the kind's wire name. */
  public static IncidentChange change(String id, Severity severity, Incident.State state, Kind kind, boolean pages) {
    Incident incident = new Incident(id, "rp-filter-reset:node/n1", "rp-filter-reset", "prod", severity, state,
        "rp_filter drops pod traffic on node n1", "n1", List.of("Node/n1"), 1, "lxc1a2b has rp_filter 1",
        List.of("lxc1a2b: 1"), "chainwatch asks the probe to repair", state == Incident.State.ESCALATED
            ? "the repair did not take" : null, false, T0, T0, state == Incident.State.RESOLVED ? T0 : null);
    return new IncidentChange(incident, kind, kind.wireName(), pages, false, List.of(), T0);
  }
}
