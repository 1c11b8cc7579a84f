package io.chainwatch.watcher;

import io.chainwatch.config.ChainwatchConfig;
import io.chainwatch.config.ConfigLoader;
import io.chainwatch.watcher.detect.DetectorCatalog;
import java.nio.file.Path;
import java.util.Map;

/** chainwatch's configuration: the settings of {@code Settings.ALL} and those every detector declares itself. */
public final class Configuration {
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
    for (String id : config.remediation().detectorDryRun().keySet()) {
      if (DetectorCatalog.find(id).isEmpty()) {
        unknown.add(io.chainwatch.config.Settings.REMEDIATION_DETECTOR_MODES.path() + " names detector \"" + id
            + "\", which does not exist (detectors: " + DetectorCatalog.ALL.stream()
                .map(io.chainwatch.watcher.detect.DetectorSpec::id).toList() + ")");
      }
    }
    if (!unknown.isEmpty()) {
      throw new io.chainwatch.config.ConfigException(unknown);
    }
    return config;
  }
}
