package io.chainwatch.watcher.detect;

import io.chainwatch.config.ChainwatchConfig;
import java.util.List;

/** The detectors a configuration enables: see {@link DetectorCatalog}. */
public final class Detectors {
  private Detectors() {}

  public static List<Detector> enabled(ChainwatchConfig config) {
    return DetectorCatalog.enabled(config);
  }
}
