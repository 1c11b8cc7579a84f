package io.chainwatch.remediation;

import io.chainwatch.config.ConfigLoader;
import io.chainwatch.config.RemediationConfig;
import io.chainwatch.model.BudgetSnapshot;
import io.chainwatch.model.Finding;
import io.chainwatch.model.NamespaceSnapshot;
import io.chainwatch.model.OwnerRef;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builders for remediation tests: pods, restart findings, budgets and configuration from the real loader. */
public final class Fixtures {
  public static final Instant T0 = Instant.parse("2026-11-23T04:00:00Z");

  private Fixtures() {}

  /** The configuration from the real loader: defaults plus {@code CHAINWATCH_REMEDIATION_*} overrides. */
  public static RemediationConfig config(String... envPairs) {
    Map<String, String> env = new HashMap<>();
    env.put("CHAINWATCH_REMEDIATION_MODE", "enforce");
    for (int i = 0; i < envPairs.length; i += 2) {
      env.put(envPairs[i], envPairs[i + 1]);
    }
    return ConfigLoader.load(null, env).remediation();
  }

  /** A running pod of ReplicaSet {@code owner}, uid {@code <name>-uid}, on {@code node}. */
  public static PodSnapshot pod(String namespace, String name, String owner, String node) {
    return new PodSnapshot(namespace, name, name + "-uid", node, "Running", false, false, T0, T0, true, T0,
        owner == null ? null : new OwnerRef("ReplicaSet", owner, owner + "-uid"), Map.of("app", name.split("-")[0]),
        false, null);
  }

  public static PodSnapshot replacement(PodSnapshot evicted, String name, Instant createdAt) {
    return new PodSnapshot(evicted.namespace(), name, name + "-uid", evicted.nodeName(), "Running", false, false,
        createdAt, createdAt, true, createdAt, evicted.owner(), evicted.labels(), false, null);
  }

  public static PodSnapshot optedOut(PodSnapshot pod) {
    return new PodSnapshot(pod.namespace(), pod.name(), pod.uid(), pod.nodeName(), pod.phase(), false, false,
        pod.createdAt(), pod.startedAt(), pod.ready(), pod.readyChangedAt(), pod.owner(), pod.labels(), true, null);
  }

  public static PodSnapshot terminating(PodSnapshot pod) {
    return new PodSnapshot(pod.namespace(), pod.name(), pod.uid(), pod.nodeName(), pod.phase(), false, true,
        pod.createdAt(), pod.startedAt(), pod.ready(), pod.readyChangedAt(), pod.owner(), pod.labels(), false, null);
  }

  public static Finding restartFinding(PodSnapshot pod) {
    return finding(pod, PlannedAction.RESTART);
  }

  public static Finding finding(PodSnapshot pod, PlannedAction action) {
    return new Finding("missed-cilium-chain", ResourceRef.pod(pod.namespace(), pod.name()), pod.nodeName(),
        Severity.CRITICAL, action, "no-endpoint", "pod missed the chain", T0, Map.of("podUid", pod.uid()));
  }

  public static BudgetSnapshot budgetFor(PodSnapshot pod, String name) {
    return new BudgetSnapshot(pod.namespace(), name, Map.of("app", pod.labels().get("app")), List.of(), 0);
  }

  public static NamespaceSnapshot namespace(String name, boolean optedOut) {
    return new NamespaceSnapshot(name, optedOut);
  }
}
