package io.chainwatch.watcher;

import io.chainwatch.model.NamespaceSnapshot;
import io.chainwatch.notifier.SilenceView;
import io.chainwatch.watcher.view.ClusterView;
import io.chainwatch.watcher.view.Projections;
import java.util.Optional;

/** Silence annotations, namespaces' labels and nodes' pools, read from the cluster view. */
final class ViewSilences implements SilenceView, io.chainwatch.notifier.route.RoutingFacts {
  private final ClusterView view;

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
  public Optional<String> namespaceSilenceUntil(String namespace) {
    return view.namespace(namespace).map(NamespaceSnapshot::silenceUntil);
  }
}
