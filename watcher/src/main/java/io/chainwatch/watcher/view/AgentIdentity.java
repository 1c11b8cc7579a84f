package io.chainwatch.watcher.view;

import io.chainwatch.config.ChainwatchConfig;
import io.chainwatch.config.LabelSelector;
import io.chainwatch.model.PodSnapshot;
import java.util.Objects;

/**
 * Where Cilium lives in this cluster and what configuration pins about it: the agent pods' namespace ({@code auto}:
 * found in any namespace) and label, the name of cilium-config, and the chaining mode and agent-not-ready taint key
 * ({@code auto}: read from cilium-config).
 *
 * @param namespace Cilium's namespace, or {@code auto}
 * @param agentSelector the agent pods' label
 * @param configMapName cilium-config's name
 * @param chainingMode {@code auto} or a pinned chaining mode
 * @param taintKey {@code auto} or a pinned agent-not-ready taint key
 */
public record AgentIdentity(String namespace, LabelSelector agentSelector, String configMapName, String chainingMode,
    String taintKey) {
  public static final String AUTO = "auto";

  public AgentIdentity {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(agentSelector, "agentSelector");
    Objects.requireNonNull(configMapName, "configMapName");
    Objects.requireNonNull(chainingMode, "chainingMode");
    Objects.requireNonNull(taintKey, "taintKey");
  }

  public AgentIdentity(String namespace, LabelSelector agentSelector, String configMapName) {
    this(namespace, agentSelector, configMapName, AUTO, AUTO);
  }

  public static AgentIdentity from(ChainwatchConfig config) {
    return new AgentIdentity(config.ciliumNamespace(), config.agentSelector(), config.ciliumConfigMap(),
        config.chainingMode(), config.agentNotReadyTaintKey());
  }

  /** Whether configuration names Cilium's namespace (else it is found). */
  public boolean namespacePinned() {
    return !AUTO.equals(namespace);
  }

  public boolean isAgent(PodSnapshot pod) {
    return (!namespacePinned() || namespace.equals(pod.namespace())) && agentSelector.matches(pod.labels());
  }

  public boolean isCiliumConfig(String configMapNamespace, String name) {
    return (!namespacePinned() || namespace.equals(configMapNamespace)) && configMapName.equals(name);
  }
}
