package io.chainwatch.watcher;

import io.chainwatch.config.ChainwatchConfig;
import io.chainwatch.config.ConfigLoader;
import io.chainwatch.watcher.detect.DetectorCatalog;
import java.nio.file.Path;
import java.util.Map;

/** chainwatch's configuration: the settings of {@code Settings.ALL} and those every detector declares itself. */
public final class Configuration {
  /** Incidents of chainwatch itself carry these detector ids (the breaker, the Kafka spool and delivery). */
  private static final java.util.List<String> NOT_DETECTORS = java.util.List.of("remediation", "kafka-spool");

  private Configuration() {}

  /**
   * Loads and checks it: what {@code run}, {@code scan}, the demo and the benchmarks use.
   *
   * @throws io.chainwatch.config.ConfigException naming every problem, also a per-detector remediation mode of a
   *     detector that does not exist
   */
  public static ChainwatchConfig load(Path file, Map<String, String> env) {
    ChainwatchConfig config = ConfigLoader.load(file, env, DetectorCatalog.ownSettings());
    java.util.List<String> unknown = new java.util.ArrayList<>();
    for (String id : config.remediation().detectorModes().keySet()) {
      if (DetectorCatalog.find(id).isEmpty()) {
        unknown.add(io.chainwatch.config.Settings.REMEDIATION_DETECTOR_MODES.path() + " names detector \"" + id
            + "\", which does not exist (detectors: " + DetectorCatalog.ALL.stream()
                .map(io.chainwatch.watcher.detect.DetectorSpec::id).toList() + ")");
      }
    }
    java.util.List<io.chainwatch.config.RoutingRule> rules = config.value(io.chainwatch.config.Settings.ROUTING_RULES);
    for (int i = 0; i < rules.size(); i++) {
      for (String id : rules.get(i).match().detectors()) {
        if (DetectorCatalog.find(id).isEmpty() && !NOT_DETECTORS.contains(id)) {
          unknown.add("routing.rules[" + i + "] \"" + rules.get(i).name() + "\": match.detectors names \"" + id
              + "\", which does not exist (detectors: " + DetectorCatalog.ALL.stream()
                  .map(io.chainwatch.watcher.detect.DetectorSpec::id).toList() + ", and " + NOT_DETECTORS + ")");
        }
      }
    }
    if (!unknown.isEmpty()) {
      throw new io.chainwatch.config.ConfigException(unknown);
    }
    return config;
  }
}
