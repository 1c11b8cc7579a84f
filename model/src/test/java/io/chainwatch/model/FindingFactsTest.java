package io.chainwatch.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FindingFactsTest {
  private static Finding finding(Map<String, Object> evidence) {
    return new Finding("missed-cilium-chain", ResourceRef.pod("shop", "web-1"), "n1", Severity.CRITICAL,
        PlannedAction.RESTART, "no-endpoint", "s", Instant.EPOCH, evidence);
  }

  @Test
  void whatADetectorWritesUnderTheDeclaredKeysIsReadBackTyped() {
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("endpoint", "missing");
    evidence.put(FindingFacts.SUBJECT_UID, "uid-1");
    evidence.put(FindingFacts.CHAIN_RACE, true);
    evidence.put(FindingFacts.INCIDENT_GROUP, "host-network");
    evidence.put(FindingFacts.ACTION_REASON, "eligible");
    evidence.put(FindingFacts.ROUTING_MODE, "native");

    FindingFacts facts = finding(evidence).facts();

    assertThat(facts).isEqualTo(new FindingFacts("host-network", "eligible", "uid-1", true, "native"));
    assertThat(facts.nativeRouting()).isTrue();
  }

  @Test
  void evidenceWithoutFactsGivesNoneAndAChainRaceMustBeTrueNotTruthy() {
    FindingFacts facts = finding(Map.of(FindingFacts.CHAIN_RACE, "true")).facts();

    assertThat(facts).isEqualTo(new FindingFacts(null, null, null, false, null));
    assertThat(facts.nativeRouting()).isFalse();
  }
}
