package io.chainwatch.probe;

import java.time.Instant;

/** The probe's entry point: one thread, mostly asleep between rounds. */
public final class ProbeMain {
  /** Exit code when the mounted cilium-health socket is stale: not a failure of the probe, a request to be restarted. */
  static final int STALE_SOCKET_EXIT = 3;

  private ProbeMain() {}

  public static void main(String[] args) throws Exception {
    java.util.Optional<Integer> handled = ProbeCommandLine.handle(java.util.List.of(args), System.out, System.err);
    if (handled.isPresent()) {
      System.exit(handled.get());
      return;
    }
    ProbeConfig config;
    try {
      config = ProbeConfig.fromEnv(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(Terminal.safe(e.getMessage()));
      System.exit(2);
      return;
    }
    NodeAnnotations annotations = new NodeAnnotations(config.apiServer(), config.tokenFile(), config.caFile());
    RepairSignature repairKey = null;
    if (config.repair()) {
      try {
        repairKey = RepairSignature.fromFile(config.repairKeyFile());
      } catch (java.io.IOException | IllegalArgumentException e) {
        // the probe still reports; it refuses every repair request until it runs with a key
        System.err.println(Terminal.safe("chainwatch-probe: no usable repair key at " + config.repairKeyFile() + " ("
            + e.getMessage() + "): every repair request will be refused"));
      }
    }
    CiliumHealthClient health = new CiliumHealthClient(config.healthSocket(), config.healthTimeout());
    AgentEndpointsClient endpoints = config.agentSocket() == null ? null
        : new AgentEndpointsClient(config.agentSocket(), config.healthTimeout());
    ReportPublisher publisher = new ReportPublisher(config.node(),
        new ProcHostFacts(config.procRoot(), config.uplink(), health, new CniChainReader(config.cniConfDir()),
            new SysctlProvenance(config.hostRoot()), endpoints),
        (node, report) -> annotations.set(node, NodeReport.ANNOTATION, report),
        config.heartbeat(), config.minWriteInterval(), config.repair() ? annotations::get : null, repairKey);
    System.err.println("chainwatch-probe on node " + Terminal.safe(config.node()) + ": every " + config.interval() + ", heartbeat "
        + config.heartbeat() + ", reading " + config.procRoot() + ", " + config.cniConfDir() + " and "
        + config.healthSocket() + (endpoints == null ? "" : " and " + config.agentSocket())
        + (config.repair() ? "; answering rp_filter repair requests" : ""));
    String lastFailure = null;
    while (true) {
      try {
        publisher.round(Instant.now());
        lastFailure = null;
      } catch (RuntimeException e) {
        // a round that fails in a way nobody foresaw is logged and the next round tries again: the probe never exits
        String failure = String.valueOf(e);
        if (!failure.equals(lastFailure)) {
          System.err.println("chainwatch-probe: round failed, retrying next round: " + Terminal.safe(failure));
          lastFailure = failure;
        }
      }
      if (health.looksStale() || (endpoints != null && endpoints.looksStale())) {
        // the round's report already says why; a new container mounts the sockets the agent created last
        System.err.println("chainwatch-probe: " + (health.looksStale() ? "cilium-health" : "cilium-agent's API")
            + " refused " + CiliumHealthClient.STALE_AFTER_REFUSALS
            + " rounds in a row; exiting (3) so that the kubelet restarts the probe with the current socket");
        System.exit(STALE_SOCKET_EXIT);
      }
      Thread.sleep(config.interval().toMillis());
    }
  }
}
