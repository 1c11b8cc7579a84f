package io.chainwatch.watcher.view;

import io.chainwatch.config.ChainwatchConfig;
import io.chainwatch.config.LabelSelector;
import io.chainwatch.model.PodSnapshot;
import java.util.Objects;

/**
 * Where Cilium lives in this cluster: the agent pods' namespace and label, and the name of cilium-config.
 *
 * @param namespace Cilium's namespace
 * @param agentSelector the agent pods' label
 * @param configMapName cilium-config's name
 */
public record AgentIdentity(String namespace, LabelSelector agentSelector, String configMapName) {
  public AgentIdentity {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(agentSelector, "agentSelector");
    Objects.requireNonNull(configMapName, "configMapName");
  }

  public static AgentIdentity from(ChainwatchConfig config) {
    return new AgentIdentity(config.ciliumNamespace(), config.agentSelector(), config.ciliumConfigMap());
  }

  public boolean isAgent(PodSnapshot pod) {
    return namespace.equals(pod.namespace()) && agentSelector.matches(pod.labels());
  }

  public boolean isCiliumConfig(String configMapNamespace, String name) {
    return namespace.equals(configMapNamespace) && configMapName.equals(name);
  }
}
