package io.chainwatch.watcher.detect;

import io.chainwatch.model.CiliumNodeSnapshot;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.watcher.view.ClusterView;
import java.time.Instant;
import java.util.Optional;

/**
 * When Cilium's agent first became Ready on a node, as far as the view can tell: the race is about pods that started
 * before that, not before the latest Ready after an agent restart or a Cilium upgrade.
 *
 * <p>The agent creates the node's CiliumNode on its first start, and the object outlives agent restarts and upgrades.
 * When the node's current agent pod started after that CiliumNode (a replaced pod: an upgrade, a config roll, an
 * eviction), its Ready time says nothing about the first one, and the CiliumNode's creation is the best bound: Cilium
 * ran there since. Otherwise the current agent pod is the first one and its Ready time is the answer. A CiliumNode
 * older than its Node was left by an earlier node of the same name (names are recycled IPs on some clouds) and is
 * ignored.
 */
final class AgentHistory {
  private AgentHistory() {}

  /** The agent's first Ready on {@code node}; {@code null} when no Ready agent shows it. */
  static Instant firstReadyAt(String node, ClusterView view) {
    PodSnapshot agent = view.ciliumAgentsOn(node).stream().filter(a -> a.ready() && !a.terminating())
        .min(java.util.Comparator.comparing(AgentHistory::readyAt,
            java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder())))
        .orElse(null);
    Instant nodeCreated = view.node(node).map(NodeSnapshot::createdAt).orElse(null);
    Optional<Instant> registered = view.ciliumNode(node).map(CiliumNodeSnapshot::createdAt)
        .filter(at -> nodeCreated == null || !at.isBefore(nodeCreated));
    if (agent == null) {
      return registered.orElse(null);
    }
    Instant agentStarted = agent.startedOrCreatedAt();
    if (registered.isPresent() && agentStarted != null && agentStarted.isAfter(registered.get())) {
      return registered.get();
    }
    return readyAt(agent);
  }

  /** When the agent's Ready condition last changed; its start when the condition carries no time. */
  static Instant readyAt(PodSnapshot agent) {
    return agent.readyChangedAt() != null ? agent.readyChangedAt() : agent.startedOrCreatedAt();
  }
}
