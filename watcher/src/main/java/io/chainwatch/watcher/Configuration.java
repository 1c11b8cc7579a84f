package io.chainwatch.watcher;

import io.chainwatch.config.ChainwatchConfig;
import io.chainwatch.config.ConfigLoader;
import io.chainwatch.watcher.detect.DetectorCatalog;
import java.nio.file.Path;
import java.util.Map;

/** chainwatch's configuration: the settings of {@code Settings.ALL} and those every detector declares itself. */
public final class Configuration {
  private Configuration() {}

  /** Loads and checks it: what {@code run}, {@code scan}, the demo and the benchmarks use. */
  public static ChainwatchConfig load(Path file, Map<String, String> env) {
    return ConfigLoader.load(file, env, DetectorCatalog.ownSettings());
  }
}
