package io.chainwatch.probe;

import java.time.Instant;

/** The probe's entry point: one thread, mostly asleep between rounds. */
public final class ProbeMain {
  private ProbeMain() {}

  public static void main(String[] args) throws Exception {
    ProbeConfig config;
    try {
      config = ProbeConfig.fromEnv(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    NodeAnnotations annotations = new NodeAnnotations(config.apiServer(), config.tokenFile(), config.caFile());
    ReportPublisher publisher = new ReportPublisher(config.node(),
        new ProcHostFacts(config.procRoot(), config.uplink(),
            new CiliumHealthClient(config.healthSocket(), config.healthTimeout())),
        (node, report) -> annotations.set(node, NodeReport.ANNOTATION, report),
        config.heartbeat(), config.minWriteInterval(), config.repair() ? annotations::get : null);
    System.err.println("chainwatch-probe on node " + config.node() + ": every " + config.interval() + ", heartbeat "
        + config.heartbeat() + ", reading " + config.procRoot() + " and " + config.healthSocket()
        + (config.repair() ? "; answering rp_filter repair requests" : ""));
    while (true) {
      publisher.round(Instant.now());
      Thread.sleep(config.interval().toMillis());
    }
  }
}
