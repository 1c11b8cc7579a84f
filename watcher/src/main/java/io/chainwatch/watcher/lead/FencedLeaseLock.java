package io.chainwatch.watcher.lead;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.time.Clock;
import java.time.Instant;

/**
 * A Lease lock that remembers when this replica last wrote the Lease as its holder: the time a write by the leader is
 * known to be safe from. fabric8's elector does not expose its renewals; this wrapper sees every one.
 *
 * <p>It also makes takeover independent of clock skew. fabric8's elector judges another holder's lease by that
 * holder's {@code renewTime} (written with the holder's clock) against this replica's clock, so a follower whose
 * clock runs ahead, or a leader whose clock runs behind, takes the lease from a leader that is renewing: two writers.
 * As client-go does, another holder's lease is judged from when this replica first observed each renewal, on its own
 * clock: the record handed to the elector carries that observation time as its renew time.
 */
final class FencedLeaseLock implements Lock {
  private final LeaseLock lease;
  private final Clock clock;
  private volatile Instant confirmedAt;

  FencedLeaseLock(String namespace, String name, String identity, Clock clock) {
    this.lease = new LeaseLock(namespace, name, identity);
    this.clock = clock;
  }

  private String observedRenewal;
  private java.time.ZonedDateTime observedAt;

  @Override
  public synchronized LeaderElectionRecord get(KubernetesClient client) {
    LeaderElectionRecord record = lease.get(client);
    if (record == null || record.getHolderIdentity() == null || identity().equals(record.getHolderIdentity())) {
      return record;
    }
    String renewal = record.getHolderIdentity() + "@" + record.getRenewTime() + "#" + record.getLeaderTransitions();
    if (!renewal.equals(observedRenewal)) {
      observedRenewal = renewal;
      // fabric8 compares with ZonedDateTime.now(UTC): the observation is taken on that same clock
      observedAt = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC);
    }
    return record.toBuilder().renewTime(observedAt).build();
  }

  @Override
  public void create(KubernetesClient client, LeaderElectionRecord record) {
    lease.create(client, record);
    confirm(record);
  }

  @Override
  public void update(KubernetesClient client, LeaderElectionRecord record) {
    lease.update(client, record);
    confirm(record);
  }

  private void confirm(LeaderElectionRecord record) {
    if (identity().equals(record.getHolderIdentity())) {
      confirmedAt = clock.instant(); // the API server accepted this replica as holder, now
    }
  }

  /** When the API server last accepted this replica's claim, or {@code null}. */
  Instant confirmedAt() {
    return confirmedAt;
  }

  void forget() {
    confirmedAt = null;
  }

  @Override
  public String identity() {
    return lease.identity();
  }

  @Override
  public String describe() {
    return lease.describe();
  }
}
