package io.chainwatch.watcher.detect;

import io.chainwatch.config.ChainwatchConfig;
import java.util.ArrayList;
import java.util.List;

/** The detectors a configuration enables. */
public final class Detectors {
  private Detectors() {}

  public static List<Detector> enabled(ChainwatchConfig config) {
    List<Detector> detectors = new ArrayList<>();
    if (config.missedChain().enabled()) {
      detectors.add(new MissedCiliumChainDetector(config.missedChain()));
    }
    if (config.hostDetectors().rpFilterEnabled()) {
      detectors.add(new RpFilterResetDetector(config.hostDetectors(),
          config.remediation().rpFilterRepair().enabled()));
    }
    if (config.hostDetectors().healthEnabled()) {
      detectors.add(new CiliumHealthLocalEndpointDetector());
    }
    if (config.hostDetectors().probeSilentEnabled()) {
      detectors.add(new ProbeSilentDetector(config.hostDetectors()));
    }
    if (config.hostDetectors().doctorEnabled()) {
      detectors.add(new MissingAgentNotReadyTaintDetector(config.missedChain().agentSettle()));
      detectors.add(new L7PolicyInChainingDetector(config.hostDetectors().baseCni(),
          config.hostDetectors().routingMode()));
      detectors.add(new DeploymentDoctorDetector(config.hostDetectors().baseCni(),
          config.hostDetectors().routingMode()));
      detectors.add(new VpcCniCoexistenceDetector(config.hostDetectors().baseCni(),
          config.hostDetectors().routingMode()));
    }
    return List.copyOf(detectors);
  }
}
