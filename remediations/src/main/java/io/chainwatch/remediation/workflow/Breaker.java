package io.chainwatch.remediation.workflow;

import io.chainwatch.config.RemediationConfig;
import io.chainwatch.model.BreakerChange;
import io.chainwatch.remediation.policy.RemediationHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The blast-radius breaker: opened by the policy's blast-radius rule (once, with the figures that tripped it), closed
 * when its cooldown passes or a person resets it. Its state lives in the {@link RemediationHistory}, so every replica
 * and every restart sees it.
 *
 * <pre>
 *   closed ──blast radius──► open ──cooldown passed / a person's reset──► closed (everything waiting is decided again)
 * </pre>
 */
public final class Breaker {
  /** The annotation a person sets on the state ConfigMap to close the breaker. */
  public static final String RESET_ANNOTATION = "chainwatch.io/reset-breaker";

  private final RemediationConfig config;
  private final String stateNamespace;
  private final String stateConfigMap;

  /**
   * @param stateNamespace where the state ConfigMap is (a person's reset goes there)
   * @param stateConfigMap its name
   */
  public Breaker(RemediationConfig config, String stateNamespace, String stateConfigMap) {
    this.config = Objects.requireNonNull(config, "config");
    this.stateNamespace = Objects.requireNonNull(stateNamespace, "stateNamespace");
    this.stateConfigMap = Objects.requireNonNull(stateConfigMap, "stateConfigMap");
  }

  public List<Effect> open(RemediationHistory history, String reason, int nodeCount, Instant now) {
    Instant closesAt = now.plus(config.breaker().cooldown());
    history.openBreaker(new RemediationHistory.BreakerState(now, closesAt, reason));
    Map<String, RemediationHistory.CountedFinding> counted =
        history.restartFindingsSince(now.minus(config.breaker().window()));
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("podsCounted", counted.size());
    evidence.put("nodesAffected", counted.values().stream().map(RemediationHistory.CountedFinding::node)
        .filter(Objects::nonNull).distinct().count());
    evidence.put("nodesInCluster", nodeCount);
    evidence.put("window", config.breaker().window().toString());
    evidence.put("maxPods", config.breaker().maxPods());
    evidence.put("maxNodeShare", config.breaker().maxNodeShare());
    evidence.put("pods", counted.keySet().stream().limit(20).toList());
    evidence.put("resetWith", "kubectl annotate configmap -n " + stateNamespace + " " + stateConfigMap + " "
        + RESET_ANNOTATION + "=now");
    return List.of(new Effect.PublishBreaker(new BreakerChange(true, reason, evidence, now, closesAt)),
        new Effect.Save());
  }

  /** Closes it if it is open; nothing otherwise. */
  public List<Effect> close(RemediationHistory history, String why, Instant now) {
    if (history.breaker().isEmpty()) {
      return List.of();
    }
    history.closeBreaker();
    return List.of(new Effect.PublishBreaker(new BreakerChange(false, why, Map.of(), now, null)), new Effect.Save());
  }

  /** A person asked for it (the annotation): closed, and everything waiting is decided again. */
  public List<Effect> reset(RemediationHistory history, Instant now) {
    List<Effect> effects = new ArrayList<>(close(history, "reset by a person (annotation " + RESET_ANNOTATION + ")",
        now));
    effects.add(new Effect.DecideWaiting());
    return effects;
  }

  /** Closes it once its cooldown has passed. */
  public List<Effect> tick(RemediationHistory history, Instant now) {
    var open = history.breaker();
    if (open.isEmpty() || now.isBefore(open.get().closesAt())) {
      return List.of();
    }
    List<Effect> effects = new ArrayList<>(close(history, "cooldown remediation.breaker.cooldown passed", now));
    effects.add(new Effect.DecideWaiting());
    return effects;
  }
}
