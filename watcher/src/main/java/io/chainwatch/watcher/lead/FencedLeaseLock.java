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
 */
final class FencedLeaseLock implements Lock {
  private final LeaseLock lease;
  private final Clock clock;
  private volatile Instant confirmedAt;

  FencedLeaseLock(String namespace, String name, String identity, Clock clock) {
    this.lease = new LeaseLock(namespace, name, identity);
    this.clock = clock;
  }

  @Override
  public LeaderElectionRecord get(KubernetesClient client) {
    return lease.get(client);
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
