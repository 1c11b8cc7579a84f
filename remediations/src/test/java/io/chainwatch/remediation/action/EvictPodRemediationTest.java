package io.chainwatch.remediation.action;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EvictPodRemediationTest {
  @Test
  void classifiesTheApiServersAnswers() {
    assertThat(EvictPodRemediation.classify(201, "{\"kind\":\"Status\",\"status\":\"Success\"}").kind())
        .isEqualTo(EvictionResult.Kind.EVICTED);
    assertThat(EvictPodRemediation.classify(200, "").kind()).isEqualTo(EvictionResult.Kind.EVICTED);
    assertThat(EvictPodRemediation.classify(404, "{\"message\":\"pods \\\"x\\\" not found\"}").kind())
        .isEqualTo(EvictionResult.Kind.GONE);
    assertThat(EvictPodRemediation.classify(409, "{\"message\":\"Precondition failed: UID in precondition: "
        + "a, UID in object meta: b\"}").kind()).isEqualTo(EvictionResult.Kind.GONE);
    assertThat(EvictPodRemediation.classify(409, "{\"message\":\"Operation cannot be fulfilled\"}").kind())
        .isEqualTo(EvictionResult.Kind.FAILED);
    assertThat(EvictPodRemediation.classify(403, "{\"message\":\"pods \\\"x\\\" is forbidden: User cannot create "
        + "resource pods/eviction\"}").message()).contains("HTTP 403", "forbidden");
    assertThat(EvictPodRemediation.classify(500, "<html>oops</html>").message()).contains("HTTP 500", "oops");
  }

  @Test
  void namesTheBudgetOfARefusalFromTheStatusCauses() {
    EvictionResult refused = EvictPodRemediation.classify(429, "{\"message\":\"Cannot evict pod as it would "
        + "violate the pod's disruption budget.\",\"details\":{\"causes\":[{\"reason\":\"DisruptionBudget\","
        + "\"message\":\"The disruption budget web-pdb needs 2 healthy pods and has 2 currently\"}]}}");
    EvictionResult anonymous = EvictPodRemediation.classify(429, "{\"message\":\"Too many requests\"}");

    assertThat(refused.kind()).isEqualTo(EvictionResult.Kind.BUDGET_REFUSED);
    assertThat(refused.budget()).isEqualTo("web-pdb");
    assertThat(refused.message()).contains("needs 2 healthy pods");
    assertThat(anonymous.budget()).isNull();
  }
}
