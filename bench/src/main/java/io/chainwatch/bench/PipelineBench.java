package io.chainwatch.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives the real {@code run} pipeline (fabric8 watch decode → item store projection → bus → detector → finding) with
 * realistic watch events from {@link FakeApiServer}: sustained throughput with events sent as fast as the pipeline
 * takes them, and latency from sending an event to the finding it causes, at a fixed rate. chainwatch runs as
 * deployed: every detector on, remediation in dry-run with its state ConfigMap, leader election on, Kubernetes Events
 * and Node conditions written, audit records to a real Kafka broker (in process) and pages to the local Slack
 * endpoint; the API server answers those writes ({@link DeployedWrites}).
 *
 * <p>Every tenth pod gets no CiliumEndpoint, so about 5 % of events produce a finding; the others' endpoints are sent
 * {@link #ENDPOINT_LEAD} pods ahead of their pods. Endpoints and pods come on two watches, decoded on two event loops,
 * so an endpoint sent just before its pod was often judged after it: the pod, Running since long before, looked
 * endpoint-less, a finding was raised and cleared a moment later (up to 2.6 false findings per real one, each with its
 * audit records, its decision and its incident update: nearly half of what chainwatch's threads other than the event
 * loops spent at half load, in the eleventh pass). In a cluster the pod's age covers the endpoint's lag
 * (missedChain.minPodAge); these pods are old when they arrive. {@link #falseFindings()} counts what still races.
 */
final class PipelineBench implements AutoCloseable {
  /**
   * @param cpu what this JVM used while the events were sent and processed
   * @param falseFindings findings for pods sent with an endpoint, from the first event to the last processed
   */
  record Throughput(long events, double eventsPerSecond, long dropped, double seconds, ThreadCpu.Use cpu,
      long falseFindings) {}

  /**
   * @param cpu what this JVM used while the events were sent
   * @param quietAfterMillis how long the JVM took to go quiet before the events were sent
   * @param falseFindings findings for pods sent with an endpoint, from the first event to the last finding awaited
   */
  record Latency(double targetRate, double achievedRate, int samples, double p50Millis, double p99Millis,
      double maxMillis, long dropped, ThreadCpu.Use cpu, long quietAfterMillis, long falseFindings) {}

  private record Event(String path, io.vertx.core.buffer.Buffer encoded, String findingPod) {}

  /**
   * With {@code -Dbench.latencyLog=FILE}: every latency sample (ms), with the wall-clock time (ms) its finding
   * arrived, to line spikes up with a GC log ({@code -Xlog:gc:file=F:timemillis}).
   */
  private static final PrintStream LATENCY_LOG = latencyLog();

  private static PrintStream latencyLog() {
    String file = System.getProperty("bench.latencyLog");
    try {
      return file == null ? null : new PrintStream(new java.io.FileOutputStream(file), true);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private final Workload workload = new Workload();
  private final DeployedWrites writes = new DeployedWrites();
  private final ScratchDirectory stateDir;
  private final io.chainwatch.testkit.EmbeddedKafka kafka;
  private final io.chainwatch.testkit.LocalSlackServer slack;
  private final FakeApiServer server;
  private final ChainwatchProcess chainwatch;
  private final ThreadCpu threadCpu;
  private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
  /**
   * One per sample. A CopyOnWriteArrayList here copied every earlier sample on each add: quadratic, and
   * on one of chainwatch's event loops.
   */
  private final java.util.Queue<Double> latencies = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private int nextPod;
  /** Endpoints have been sent for the pods below this index. */
  private int nextEndpoint;
  /** The pods sent without an endpoint: the only ones that should have a finding. */
  private final java.util.Set<String> expectedFindings = ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicLong falseFindings = new java.util.concurrent.atomic.AtomicLong();
  private long resourceVersion = 10;

  /** @param ownJvm chainwatch in a JVM of its own, as deployed, rather than in the benchmark's */
  PipelineBench(int nodes, boolean ownJvm) throws Exception {
    stateDir = ScratchDirectory.create("chainwatch-bench-pipeline");
    kafka = io.chainwatch.testkit.EmbeddedKafka.start(stateDir.resolve("kafka"));
    kafka.createTopics("chainwatch.audit", "chainwatch.pages");
    slack = io.chainwatch.testkit.LocalSlackServer.start();
    java.nio.file.Files.writeString(stateDir.resolve("slack-token"), "xoxb-bench");
    server = writes.on(ApiPaths.cluster(workload, nodes, 0, 0)).start();
    Map<String, String> env = new java.util.HashMap<>(Map.of("CHAINWATCH_HTTP_PORT", "0",
        "CHAINWATCH_LOG_LEVEL", "warn",
        "CHAINWATCH_LEADER_ELECTION_ENABLED", "true",
        "CHAINWATCH_LEADER_ELECTION_NAMESPACE", "chainwatch",
        "CHAINWATCH_STATE_DIR", stateDir.resolve("state").toString(),
        "CHAINWATCH_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
        "CHAINWATCH_SLACK_TOKEN_FILE", stateDir.resolve("slack-token").toString(),
        "CHAINWATCH_SLACK_CHANNEL", "#bench",
        "CHAINWATCH_SLACK_API_URL", slack.apiUrl()));
    chainwatch = ChainwatchProcess.start(ownJvm, server.url(), env, this::found);
    threadCpu = new ThreadCpu(server.eventLoopThreadIds(), chainwatch.pid());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (server.watchers(ApiPaths.PODS) == 0 || server.watchers(ApiPaths.ENDPOINTS) == 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("chainwatch did not watch pods and endpoints on the benchmark API server");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  private void found(String pod, long seenAtNanos) {
    if (!expectedFindings.contains(pod)) {
      falseFindings.incrementAndGet();
    }
    Long sent = sentAt.remove(pod);
    if (sent != null) {
      latencies.add((seenAtNanos - sent) / 1e6);
      if (LATENCY_LOG != null) {
        LATENCY_LOG.println(System.currentTimeMillis() + " " + (seenAtNanos - sent) / 1e6);
      }
    }
  }

  /**
   * How many pods ahead of its pod an endpoint is sent: at 8,000 to 20,000 events/s, 20 to 50 ms before it, longer
   * than the two watches' usual skew on two loaded cores; a load that backs up can still exceed it (up to 145 false
   * findings in three runs' paced loads in the eleventh pass, against thousands per load before), which
   * {@link #falseFindings()} counts.
   */
  static final int ENDPOINT_LEAD = 200;

  private static boolean missesChain(int pod) {
    return pod % 10 == 0;
  }

  private List<Event> nextEvents(int pods) {
    List<Event> events = new ArrayList<>(pods * 2);
    for (int n = 0; n < pods; n++) {
      int i = nextPod++;
      while (nextEndpoint <= i + ENDPOINT_LEAD) {
        int ahead = nextEndpoint++;
        if (!missesChain(ahead)) {
          events.add(new Event(ApiPaths.ENDPOINTS,
              FakeApiServer.event("ADDED", workload.endpoint(ahead, ++resourceVersion)), null));
        }
      }
      if (missesChain(i)) {
        expectedFindings.add(Workload.podName(i));
      }
      events.add(new Event(ApiPaths.PODS, FakeApiServer.event("ADDED", workload.pod(i, ++resourceVersion)),
          missesChain(i) ? Workload.podName(i) : null));
    }
    return events;
  }

  /** Findings so far for pods that were sent with an endpoint: false alarms (a harness that races itself, or a bug). */
  long falseFindings() {
    return falseFindings.get();
  }

  private void send(Event event) {
    while (true) {
      long now = System.nanoTime();
      if (event.findingPod() != null) {
        sentAt.put(event.findingPod(), now); // before it is sent: its finding can come back before publish returns
      }
      if (server.publish(event.path(), event.encoded())) {
        return;
      }
      LockSupport.parkNanos(50_000); // the client is behind: the pipeline is the bottleneck, as it should be
    }
  }

  /**
   * The pre-rendered events (hundreds of MB of strings the fake API server sends) are moved to the old generation
   * before measuring, so young collections during the run do not copy them: they belong to the harness, not to
   * chainwatch, and would otherwise add their copying time to chainwatch's latency. When chainwatch shared this JVM
   * (up to the eleventh pass), that full collection compacted chainwatch's heap too before every load, which a
   * deployed chainwatch never gets; {@code -Dbench.chainwatchGcBeforeLoad=true} gives it one in its own JVM, to
   * compare the two setups.
   */
  private void settle() {
    Heap.usedAfterGc();
    if (Boolean.getBoolean("bench.chainwatchGcBeforeLoad")) {
      chainwatch.collectGarbage();
    }
  }

  private static long handled(ChainwatchProcess.Counts counts) {
    return counts.processed() + counts.dropped();
  }

  private void awaitProcessed(long target, long timeoutSeconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    ChainwatchProcess.Counts counts;
    while (handled(counts = chainwatch.counts()) < target) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("pipeline stalled at " + handled(counts) + " of " + target);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  /** Sends {@code pods} pods (and their endpoints) as fast as the pipeline accepts them. */
  Throughput throughput(int pods) {
    List<Event> events = nextEvents(pods);
    settle();
    ChainwatchProcess.Counts before = chainwatch.counts();
    long falseBefore = falseFindings.get();
    ThreadCpu.Snapshot cpuBefore = threadCpu.snapshot();
    java.time.Instant from = java.time.Instant.now();
    long t0 = System.nanoTime();
    for (Event event : events) {
      send(event);
    }
    awaitProcessed(handled(before) + events.size(), 300);
    double seconds = (System.nanoTime() - t0) / 1e9;
    ThreadCpu.Snapshot cpuAfter = threadCpu.snapshot();
    if (Boolean.getBoolean("bench.verbose")) {
      System.err.println("  " + events.size() + " events from " + from + " to " + java.time.Instant.now());
    }
    return new Throughput(events.size(), events.size() / seconds, chainwatch.counts().dropped() - before.dropped(),
        seconds, threadCpu.use(cpuBefore, cpuAfter, seconds, events.size()), falseFindings.get() - falseBefore);
  }

  /** Sends events at {@code rate} per second for {@code seconds} and measures send-to-finding latency. */
  Latency latency(double rate, double seconds) {
    int pods = (int) (rate * seconds / 1.9);
    List<Event> events = nextEvents(pods);
    settle();
    long quietAfterMillis = awaitQuiet();
    latencies.clear();
    sentAt.clear();
    ChainwatchProcess.Counts before = chainwatch.counts();
    long falseBefore = falseFindings.get();
    ThreadCpu.Snapshot cpuBefore = threadCpu.snapshot();
    long t0 = System.nanoTime();
    int sent = 0;
    while (sent < events.size()) {
      double elapsed = (System.nanoTime() - t0) / 1e9;
      int due = (int) Math.min(events.size(), elapsed * rate);
      while (sent < due) {
        send(events.get(sent++));
      }
      LockSupport.parkNanos(200_000);
    }
    double sendSeconds = (System.nanoTime() - t0) / 1e9;
    ThreadCpu.Snapshot cpuAfter = threadCpu.snapshot();
    if (Boolean.getBoolean("bench.verbose")) {
      System.err.println("  at " + rate + " events/s, µs of CPU per event by thread: "
          + threadCpu.top(cpuBefore, cpuAfter, events.size(), 25));
    }
    awaitProcessed(handled(before) + events.size(), 300);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!sentAt.isEmpty() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    List<Double> samples = List.copyOf(latencies);
    return new Latency(rate, events.size() / sendSeconds, samples.size(), Stats.percentile(samples, 50),
        Stats.percentile(samples, 99), Stats.percentile(samples, 100), chainwatch.counts().dropped() - before.dropped(),
        threadCpu.use(cpuBefore, cpuAfter, sendSeconds, events.size()), quietAfterMillis,
        falseFindings.get() - falseBefore);
  }

  /**
   * Waits (up to 30 s) until this JVM and chainwatch's (when it has its own) used under 15 % of one core together
   * for a quarter of a second: the phase before (a flood of 100,000 events, or the other load) leaves work behind it
   * (incidents, audit records, Kubernetes Events, the collections {@link #settle()} forced), and a latency at a fixed
   * rate is measured from a pipeline at rest, not one still catching up. Returns how long it waited.
   */
  private long awaitQuiet() {
    long t0 = System.nanoTime();
    long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
    ThreadCpu.Snapshot before = threadCpu.snapshot();
    while (System.nanoTime() < deadline) {
      long windowStart = System.nanoTime();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
      ThreadCpu.Snapshot after = threadCpu.snapshot();
      double share = (double) (after.processNanos() - before.processNanos() + after.childNanos()
          - before.childNanos()) / (System.nanoTime() - windowStart);
      before = after;
      if (share < 0.15) {
        break;
      }
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  /** What the pipeline wrote meanwhile: state saves, lease renewals, Events, Node status patches, Slack calls. */
  String writesSeen() {
    return "state " + writes.count(DeployedWrites.STATE) + ", lease " + writes.count(DeployedWrites.LEASE)
        + ", events " + writes.count(DeployedWrites.EVENTS) + ", node status " + writes.count(DeployedWrites.NODE_STATUS)
        + ", Slack calls " + slack.calls().size();
  }

  @Override
  public void close() throws Exception {
    chainwatch.close();
    server.close();
    slack.close();
    kafka.close();
    stateDir.close();
  }
}
