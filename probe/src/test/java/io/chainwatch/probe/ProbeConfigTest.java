package io.chainwatch.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProbeConfigTest {
  @Test
  void inAPodEverythingHasADefault() {
    ProbeConfig config = ProbeConfig.fromEnv(Map.of("NODE_NAME", "10.0.0.11", "KUBERNETES_SERVICE_HOST", "10.96.0.1",
        "KUBERNETES_SERVICE_PORT", "443"));

    assertThat(config.apiServer().toString()).isEqualTo("https://10.96.0.1:443");
    assertThat(config.heartbeat()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.healthSocket().toString()).isEqualTo("/var/run/cilium/health.sock");
    assertThat(config.procRoot().toString()).isEqualTo("/proc");
    assertThat(config.repair()).as("repair is opt-in").isFalse();
    assertThat(config.agentSocket().toString()).isEqualTo("/var/run/cilium/cilium.sock");
    assertThat(config.cniConfDir().toString()).isEqualTo("/etc/cni/net.d");
  }

  @Test
  void anEmptyAgentSocketTurnsTheEndpointListOff() {
    ProbeConfig config = ProbeConfig.fromEnv(Map.of("NODE_NAME", "n1", "CHAINWATCH_PROBE_API_SERVER",
        "https://10.96.0.1:443", "CHAINWATCH_PROBE_AGENT_SOCKET", ""));

    assertThat(config.agentSocket()).isNull();
  }

  @Test
  void everyProblemIsNamedAtOnce() {
    assertThatThrownBy(() -> ProbeConfig.fromEnv(Map.of("CHAINWATCH_PROBE_INTERVAL", "30s",
        "CHAINWATCH_PROBE_MIN_WRITE_INTERVAL", "PT10M", "CHAINWATCH_PROBE_REPAIR", "yes")))
        .hasMessageContaining("CHAINWATCH_PROBE_REPAIR must be true or false, got \"yes\"")
        .hasMessageContaining("NODE_NAME must name this pod's node")
        .hasMessageContaining("CHAINWATCH_PROBE_INTERVAL must be an ISO-8601 duration such as PT30S, got \"30s\"")
        .hasMessageContaining("CHAINWATCH_PROBE_MIN_WRITE_INTERVAL (PT10M) must not exceed CHAINWATCH_PROBE_HEARTBEAT")
        .hasMessageContaining("CHAINWATCH_PROBE_API_SERVER");
  }
}
