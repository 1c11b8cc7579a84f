package io.chainwatch.watcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainwatch.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigurationTest {
  @Test
  void aPerDetectorModeMustNameADetectorThatExists() {
    assertThatThrownBy(() -> Configuration.load(null, Map.of("CHAINWATCH_REMEDIATION_DETECTOR_MODES",
        "endpoint-stuck=enforce,missed-chain=observe")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("remediation.detectorModes names detector \"missed-chain\", which does not exist")
        .hasMessageContaining("missed-cilium-chain");
    assertThat(Configuration.load(null, Map.of("CHAINWATCH_REMEDIATION_DETECTOR_MODES", "endpoint-stuck=enforce"))
        .remediation().dryRunFor("endpoint-stuck")).isFalse();
  }
}
