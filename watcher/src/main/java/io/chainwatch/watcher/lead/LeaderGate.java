package io.chainwatch.watcher.lead;

import io.chainwatch.remediation.WritePermit;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election with a Lease (fabric8 {@link LeaderElector}), and the answer to "may I write now?": only while this
 * replica leads and the API server accepted its claim less than {@code renewDeadline} ago. A leader cut off from the
 * API server stops writing at the renew deadline, before its lease can expire and another replica take over
 * (fencing by time: renewDeadline &lt; leaseDuration).
 */
public final class LeaderGate implements WritePermit, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderGate.class);

  private final FencedLeaseLock lock;
  private final Duration renewDeadline;
  private final Clock clock;
  private final LeaderElector elector;
  private volatile boolean leading;
  private volatile String leader;
  private CompletableFuture<?> running;

  public LeaderGate(KubernetesClient client, String namespace, String leaseName, String identity,
      Duration leaseDuration, Duration renewDeadline, Duration retryPeriod, Clock clock) {
    this.renewDeadline = renewDeadline;
    this.clock = clock;
    this.lock = new FencedLeaseLock(namespace, leaseName, identity, clock);
    this.elector = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
        .withName("chainwatch")
        .withLock(lock)
        .withLeaseDuration(leaseDuration)
        .withRenewDeadline(renewDeadline)
        .withRetryPeriod(retryPeriod)
        .withReleaseOnCancel(true)
        .withLeaderCallbacks(new LeaderCallbacks(this::startedLeading, this::stoppedLeading, this::newLeader))
        .build()).build();
  }

  public void start() {
    running = elector.start();
    LOG.info("Leader election on Lease {} as {}", lock.describe(), lock.identity());
  }

  private void startedLeading() {
    leading = true;
    LOG.info("This replica ({}) leads: it remediates and notifies", lock.identity());
  }

  private void stoppedLeading() {
    leading = false;
    lock.forget();
    LOG.warn("This replica ({}) stopped leading: no more writes", lock.identity());
  }

  private void newLeader(String identity) {
    leader = identity;
    if (!identity.equals(lock.identity())) {
      LOG.info("Leader is {}", identity);
    }
  }

  @Override
  public boolean mayWriteNow() {
    Instant confirmed = lock.confirmedAt();
    return leading && confirmed != null && clock.instant().isBefore(confirmed.plus(renewDeadline));
  }

  /** Whether this replica leads now (notifiers deliver only then). */
  public boolean leading() {
    return mayWriteNow();
  }

  public String identity() {
    return lock.identity();
  }

  /** The leader's identity as last seen, {@code null} until known. */
  public String leader() {
    return leader;
  }

  /** Gives up the lease (so another replica takes over at once) and stops. */
  @Override
  public void close() {
    if (running != null) {
      running.cancel(true); // releaseOnCancel: the Lease is released
    }
    leading = false;
    lock.forget();
  }
}
