package io.chainwatch.deploy;

import static io.chainwatch.deploy.Chart.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.types.SimpleType;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart's ValidatingAdmissionPolicies, evaluated with Google's CEL for Java on AdmissionRequest-shaped input as
 * the API server evaluates them: match conditions, then variables, then each validation. Allowed and refused cases
 * for every rule.
 */
class AdmissionPolicyTest {
  private static final String PROBE = "system:serviceaccount:chainwatch:chainwatch-probe";
  private static final String WATCHER = "system:serviceaccount:chainwatch:chainwatch";
  private static final Cel CEL = CelFactory.standardCelBuilder()
      .addVar("object", SimpleType.DYN).addVar("oldObject", SimpleType.DYN)
      .addVar("request", SimpleType.DYN).addVar("variables", SimpleType.DYN)
      .setStandardMacros(dev.cel.parser.CelStandardMacro.STANDARD_MACROS).build();
  private static final List<Map<String, Object>> CHART = Chart.render(Map.of("rpFilterRepair", true,
      "remediationMode", "enforce"));

  /** What the API server decides: null when admitted, else the first failing validation's message. */
  @SuppressWarnings("unchecked")
  private static String admit(String policyName, String user, String nodeOfToken, Map<String, Object> oldNode,
      Map<String, Object> newNode) throws Exception {
    Map<String, Object> policy = CHART.stream().filter(o -> "ValidatingAdmissionPolicy".equals(o.get("kind"))
        && ((String) at(o, "metadata", "name")).endsWith(policyName)).findFirst().orElseThrow();
    Map<String, Object> extra = new HashMap<>();
    if (nodeOfToken != null) {
      extra.put("authentication.kubernetes.io/node-name", List.of(nodeOfToken));
    }
    Map<String, Object> input = new HashMap<>();
    input.put("object", newNode);
    input.put("oldObject", oldNode == null ? dev.cel.common.values.NullValue.NULL_VALUE : oldNode);
    input.put("request", Map.of("operation", oldNode == null ? "CREATE" : "UPDATE",
        "userInfo", Map.of("username", user, "extra", extra)));
    input.put("variables", Map.of());
    for (Map<String, Object> condition : (List<Map<String, Object>>) at(policy, "spec", "matchConditions")) {
      if (!(Boolean) eval((String) condition.get("expression"), input)) {
        return null; // not matched: the policy does not apply
      }
    }
    Map<String, Object> variables = new LinkedHashMap<>();
    for (Map<String, Object> variable : (List<Map<String, Object>>) at(policy, "spec", "variables")) {
      input.put("variables", Map.copyOf(variables));
      variables.put((String) variable.get("name"), eval((String) variable.get("expression"), input));
    }
    input.put("variables", variables);
    for (Map<String, Object> validation : (List<Map<String, Object>>) at(policy, "spec", "validations")) {
      if (!(Boolean) eval((String) validation.get("expression"), input)) {
        return (String) validation.get("message");
      }
    }
    return null;
  }

  private static Object eval(String expression, Map<String, Object> input) throws Exception {
    return CEL.createProgram(CEL.compile(expression).getAst()).eval(input);
  }

  private static Map<String, Object> node(String name, Map<String, String> annotations, Map<String, String> labels,
      Map<String, Object> spec) {
    Map<String, Object> metadata = new HashMap<>(Map.of("name", name));
    if (annotations != null) {
      metadata.put("annotations", annotations);
    }
    if (labels != null) {
      metadata.put("labels", labels);
    }
    Map<String, Object> node = new HashMap<>(Map.of("apiVersion", "v1", "kind", "Node", "metadata", metadata));
    if (spec != null) {
      node.put("spec", spec);
    }
    return node;
  }

  private static final Map<String, String> LABELS = Map.of("kubernetes.io/hostname", "node-1");
  private static final Map<String, Object> SPEC = Map.of("podCIDR", "10.244.1.0/24");

  @Test
  void theProbeMayWriteOnlyItsOwnNodesReport() throws Exception {
    Map<String, Object> before = node("node-1", Map.of("other", "x"), LABELS, SPEC);
    Map<String, Object> reported = node("node-1", Map.of("other", "x", "chainwatch.io/node-report", "{}"), LABELS,
        SPEC);

    assertThat(admit("probe-own-node", PROBE, "node-1", before, reported)).as("its own report").isNull();
    assertThat(admit("probe-own-node", PROBE, "node-2", before, reported)).as("another node's report")
        .isEqualTo("the chainwatch probe may change only the Node its pod runs on");
    assertThat(admit("probe-own-node", PROBE, null, before, reported)).as("a token without a node")
        .isEqualTo("the chainwatch probe may change only the Node its pod runs on");
    assertThat(admit("probe-own-node", PROBE, "node-1", before, node("node-1", Map.of("other", "y",
        "chainwatch.io/node-report", "{}"), LABELS, SPEC))).as("another annotation")
        .isEqualTo("the chainwatch probe may change only its chainwatch.io/node-report annotation");
    assertThat(admit("probe-own-node", PROBE, "node-1", before, node("node-1", Map.of("other", "x",
        "chainwatch.io/rp-filter-repair", "{}"), LABELS, SPEC))).as("a repair request, forged by the probe")
        .isEqualTo("the chainwatch probe may change only its chainwatch.io/node-report annotation");
    assertThat(admit("probe-own-node", PROBE, "node-1", before, node("node-1", Map.of(), LABELS, SPEC)))
        .as("removing another annotation")
        .isEqualTo("the chainwatch probe may change only its chainwatch.io/node-report annotation");
    assertThat(admit("probe-own-node", PROBE, "node-1", before, node("node-1", Map.of("other", "x"),
        Map.of("kubernetes.io/hostname", "node-1", "role", "evil"), SPEC))).as("a label")
        .isEqualTo("the chainwatch probe may not change a Node's labels, taints or spec");
    assertThat(admit("probe-own-node", PROBE, "node-1", before, node("node-1", Map.of("other", "x"), LABELS,
        Map.of("podCIDR", "10.244.1.0/24", "taints", List.of(Map.of("key", "x", "effect", "NoSchedule"))))))
        .as("a taint").isEqualTo("the chainwatch probe may not change a Node's labels, taints or spec");
    assertThat(admit("probe-own-node", "system:node:node-1", null, before, node("node-1", Map.of(), Map.of(),
        Map.of()))).as("anyone else is not this policy's business").isNull();
  }

  @Test
  void onlyChainwatchMaySetARepairRequest() throws Exception {
    Map<String, Object> before = node("node-1", Map.of(), LABELS, SPEC);
    Map<String, Object> requested = node("node-1", Map.of("chainwatch.io/rp-filter-repair", "{\"id\":\"r\"}"),
        LABELS, SPEC);

    assertThat(admit("repair-request", WATCHER, null, before, requested)).as("chainwatch").isNull();
    assertThat(admit("repair-request", "system:serviceaccount:kube-system:cluster-autoscaler", null, before,
        requested)).isEqualTo("only chainwatch may set or change the chainwatch.io/rp-filter-repair annotation");
    assertThat(admit("repair-request", PROBE, "node-1", before, requested))
        .isEqualTo("only chainwatch may set or change the chainwatch.io/rp-filter-repair annotation");
    assertThat(admit("repair-request", "kubernetes-admin", null, null, requested)).as("a Node created with one")
        .isEqualTo("only chainwatch may set or change the chainwatch.io/rp-filter-repair annotation");
    assertThat(admit("repair-request", "system:node:node-1", null, requested, node("node-1",
        Map.of("chainwatch.io/rp-filter-repair", "{\"id\":\"r\"}", "other", "x"), LABELS, SPEC)))
        .as("others may change other annotations while a request stands").isNull();
    assertThat(admit("repair-request", "system:node:node-1", null, before, node("node-1", Map.of("a", "b"),
        LABELS, SPEC))).as("no request involved").isNull();
  }

  @Test
  void olderClustersTurnThemOff() {
    assertThat(Chart.render(Map.of("admissionPoliciesEnabled", false)))
        .noneMatch(o -> String.valueOf(o.get("kind")).startsWith("ValidatingAdmissionPolicy"));
    assertThat(Chart.render(Map.of())).filteredOn(o -> String.valueOf(o.get("kind"))
        .startsWith("ValidatingAdmissionPolicy")).hasSize(4);
  }
}
