package io.chainwatch.deploy;

import static io.chainwatch.deploy.Chart.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.testkit.Promtool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The alert rules and the dashboard, checked by Prometheus' own promtool: the rules parse and lint, their unit tests
 * (deploy/src/test/promtool/alerts-test.yaml: where each fires, where each must stay silent) pass, every dashboard
 * query parses, and the chart ships exactly these files.
 */
class AlertsAndDashboardTest {
  static final Path ALERTS = Chart.DIR.resolve("files/alerts.yaml");
  static final Path DASHBOARD = Chart.DIR.resolve("files/dashboard.json");
  @TempDir Path dir;

  private static Promtool promtool() {
    var found = Promtool.find();
    if (found.isEmpty()) {
      assertThat(Promtool.required()).as("promtool is required here (CHAINWATCH_REQUIRE_PROMTOOL=1) but not found")
          .isFalse();
      Assumptions.abort("promtool not installed (.ci/run installs it)");
    }
    return found.get();
  }

  @Test
  void theAlertRulesPassPromtoolsCheckAndTheirUnitTests() throws Exception {
    Promtool promtool = promtool();

    Promtool.Result checked = promtool.run(null, "check", "rules", ALERTS.toString());
    assertThat(checked.exit()).as(checked.output()).isZero();
    assertThat(checked.output()).contains("SUCCESS: 14 rules found");
    Promtool.Result tested = promtool.run(null, "test", "rules", "src/test/promtool/alerts-test.yaml");
    assertThat(tested.exit()).as(tested.output()).isZero();
    assertThat(tested.output()).contains("SUCCESS");
  }

  @Test
  void theUnitTestsWouldCatchAnAlertThatFiresWhereItMustNot() throws Exception {
    Promtool promtool = promtool();
    // the same tests against rules where the critical-findings alert counts warnings too: they must fail
    Path broken = dir.resolve("alerts.yaml");
    Files.writeString(broken, Files.readString(ALERTS).replace("chainwatch_findings_open{severity=\"critical\"}",
        "chainwatch_findings_open"));
    Path tests = dir.resolve("alerts-test.yaml");
    Files.writeString(tests, Files.readString(Path.of("src/test/promtool/alerts-test.yaml"))
        .replace("../../../helm/chainwatch/files/alerts.yaml", broken.toString()));

    Promtool.Result tested = promtool.run(null, "test", "rules", tests.toString());
    assertThat(tested.exit()).isNotZero();
    assertThat(tested.output()).contains("ChainwatchCriticalFindingsOpen");
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyDashboardQueryParsesWithPromtool() throws Exception {
    Promtool promtool = promtool();
    Map<String, Object> dashboard = (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions()))
        .load(Files.readString(DASHBOARD));
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    List<String> queries = new ArrayList<>();
    for (Map<String, Object> panel : (List<Map<String, Object>>) dashboard.get("panels")) {
      for (Map<String, Object> target : (List<Map<String, Object>>) panel.get("targets")) {
        String expr = (String) target.get("expr");
        queries.add(expr);
        // promtool parses PromQL in rule files: each query becomes a recording rule
        rules.append("      - record: dashboard:panel").append(panel.get("id")).append('_').append(target.get("refId"))
            .append("\n        expr: ").append(quoted(expr)).append('\n');
      }
    }
    Path file = Files.writeString(dir.resolve("dashboard-rules.yaml"), rules.toString());

    Promtool.Result checked = promtool.run(null, "check", "rules", file.toString());
    assertThat(checked.exit()).as(checked.output()).isZero();
    assertThat(checked.output()).contains("SUCCESS: " + queries.size() + " rules found");
    assertThat(queries).hasSizeGreaterThanOrEqualTo(10).noneMatch(q -> q.contains("$")); // no Grafana-only syntax
  }

  private static String quoted(String expr) {
    return '"' + expr.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  @Test
  @SuppressWarnings("unchecked")
  void theChartShipsTheseRulesAndThisDashboardOnlyWhenAsked() throws Exception {
    assertThat(Chart.ofKind(Chart.render(Map.of()), "PrometheusRule")).isEmpty();
    assertThat(Chart.render(Map.of()).stream().filter(o -> "ConfigMap".equals(o.get("kind")))
        .map(o -> (String) at(o, "metadata", "name"))).doesNotContain("chainwatch-dashboard");

    List<Map<String, Object>> objects = Chart.render(Map.of("prometheusRuleEnabled", true,
        "prometheusRuleLabels.release", "kube-prometheus-stack", "grafanaDashboardEnabled", true));
    Map<String, Object> rule = Chart.one(objects, "PrometheusRule");
    Map<String, Object> file = (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions()))
        .load(Files.readString(ALERTS));
    assertThat((Object) at(rule, "spec", "groups")).isEqualTo(file.get("groups"));
    assertThat((Map<String, Object>) at(rule, "metadata", "labels")).containsEntry("release", "kube-prometheus-stack");
    Map<String, Object> dashboard = objects.stream().filter(o -> "ConfigMap".equals(o.get("kind"))
        && "chainwatch-dashboard".equals(at(o, "metadata", "name"))).findFirst().orElseThrow();
    assertThat((Map<String, Object>) at(dashboard, "metadata", "labels")).containsEntry("grafana_dashboard", "1");
    assertThat((String) at(dashboard, "data", "chainwatch.json")).isEqualTo(Files.readString(DASHBOARD));
  }
}
