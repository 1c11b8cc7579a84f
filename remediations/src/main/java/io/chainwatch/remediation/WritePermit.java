package io.chainwatch.remediation;

/**
 * "May I write now?", asked right before every write. With leader election only the lease holder whose lease is not
 * past its renew deadline may; a single replica always may.
 */
@FunctionalInterface
public interface WritePermit {
  boolean mayWriteNow();

  /** For a single replica: always allowed. */
  static WritePermit always() {
    return () -> true;
  }
}
