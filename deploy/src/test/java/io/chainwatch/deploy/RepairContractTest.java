package io.chainwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.chainwatch.probe.RepairSignature;
import io.chainwatch.remediation.action.RepairRequestCodec;
import io.chainwatch.remediation.action.RepairSigner;
import io.chainwatch.remediation.policy.RepairRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The repair annotation's signature, both sides at once: what chainwatch writes (remediations) is what the probe
 * (dependency-free on purpose) verifies, and a change to node, values or times breaks it.
 */
class RepairContractTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef-test".getBytes(StandardCharsets.UTF_8);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static RepairRequest request() {
    Instant at = Instant.parse("2026-11-23T04:00:00Z");
    return new RepairRequest("r-1", at, at.plusSeconds(300), Map.of("lxc1a2b", 0, "all", 0), "k", List.of(at));
  }

  @Test
  void theProbeVerifiesWhatChainwatchSignsForThatNodeOnly() throws Exception {
    String annotation = RepairRequestCodec.encode(request(), "node-1", new RepairSigner(KEY));
    RepairSignature probe = new RepairSignature(KEY);

    assertThat(probe.verifies("node-1", JSON.readTree(annotation))).isTrue();
    assertThat(probe.verifies("node-2", JSON.readTree(annotation))).as("another node").isFalse();
    assertThat(new RepairSignature("another-key-another-key-another-key".getBytes(StandardCharsets.UTF_8))
        .verifies("node-1", JSON.readTree(annotation))).as("another key").isFalse();
    for (String[] tampered : new String[][] {{"\"all\":0", "\"all\":2"}, {"04:05:00Z", "23:05:00Z"},
        {"\"r-1\"", "\"r-2\""}}) {
      assertThat(probe.verifies("node-1", JSON.readTree(annotation.replace(tampered[0], tampered[1]))))
          .as("changed " + tampered[0]).isFalse();
    }
  }
}
