package io.chainwatch.watcher;

import io.chainwatch.model.NamespaceSnapshot;
import io.chainwatch.notifier.SilenceView;
import io.chainwatch.watcher.view.ClusterView;
import io.chainwatch.watcher.view.Projections;
import java.util.Optional;

/**
 * Silence annotations, namespaces' labels, nodes' pools and the fleet facts of nodes, read from the cluster view.
 */
final class ViewSilences implements SilenceView, io.chainwatch.notifier.route.RoutingFacts,
    io.chainwatch.notifier.kafka.FleetFacts.Source {
  /** The agent's version changes with an upgrade, not per record: read from the DaemonSets at most this often. */
  private static final long CILIUM_VERSION_TTL_NANOS = 30_000_000_000L;

  private final ClusterView view;
  private volatile String ciliumVersion;
  private volatile long ciliumVersionReadAt = System.nanoTime() - CILIUM_VERSION_TTL_NANOS;

  ViewSilences(ClusterView view) {
    this.view = view;
  }

  @Override
  public Optional<String> nodeSilenceUntil(String node) {
    return view.node(node).map(n -> n.annotations().get(Projections.SILENCE_ANNOTATION));
  }

  @Override
  public java.util.Map<String, String> namespaceLabels(String namespace) {
    return view.namespace(namespace).map(NamespaceSnapshot::labels).orElse(java.util.Map.of());
  }

  @Override
  public Optional<String> nodePool(String node) {
    return view.node(node).flatMap(n -> io.chainwatch.model.NodePools.of(n.labels()));
  }

  @Override
  public io.chainwatch.model.NodeFacts node(String node) {
    String cilium = ciliumVersion();
    if (node == null) {
      return io.chainwatch.model.NodeFacts.unknown(null, cilium);
    }
    return view.node(node).map(n -> new io.chainwatch.model.NodeFacts(node,
            io.chainwatch.model.NodePools.of(n.labels()).orElse(null), n.osImage(), n.kernelVersion(),
            n.kubeletVersion(), cilium))
        .orElse(io.chainwatch.model.NodeFacts.unknown(node, cilium));
  }

  private String ciliumVersion() {
    long now = System.nanoTime();
    if (now - ciliumVersionReadAt >= CILIUM_VERSION_TTL_NANOS) {
      ciliumVersion = io.chainwatch.watcher.detect.ClusterShape.agentVersion(view).orElse(null);
      ciliumVersionReadAt = now;
    }
    return ciliumVersion;
  }

  @Override
  public Optional<String> namespaceSilenceUntil(String namespace) {
    return view.namespace(namespace).map(NamespaceSnapshot::silenceUntil);
  }
}
