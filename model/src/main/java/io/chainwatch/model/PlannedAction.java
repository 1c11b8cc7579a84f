package io.chainwatch.model;

import java.util.Locale;

/** What chainwatch plans to do about a finding; executing it is the remediation module's job. */
public enum PlannedAction {
  /** Evict the pod so its controller recreates it through the full CNI chain. */
  RESTART,
  /**
   * Ask the node's probe to write the expected host setting back (rp_filter; opt-in, and only with a probe allowed
   * to write).
   */
  REPAIR,
  /** Tell a person: acting automatically would not help or is not allowed. */
  PAGE,
  /** Advice only. */
  NONE;

  /** The lower-case name used in scan output and logs. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
