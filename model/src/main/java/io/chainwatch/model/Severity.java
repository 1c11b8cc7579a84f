package io.chainwatch.model;

import java.util.Locale;

/** How urgently a person should look at a finding. */
public enum Severity {
  CRITICAL,
  WARNING,
  INFO;

  /** The lower-case name used in scan output and logs. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
