package io.chainwatch.notifier.route;

import java.util.Map;
import java.util.Optional;

/** What routing reads of the cluster: namespaces' labels and nodes' pools, as the view shows them now. */
public interface RoutingFacts {
  /** The namespace's labels; empty when it is not known. */
  Map<String, String> namespaceLabels(String namespace);

  /** The node's pool, from its cloud's pool label. */
  Optional<String> nodePool(String node);

  /** No cluster facts: only detector and severity criteria can match. */
  static RoutingFacts none() {
    return new RoutingFacts() {
      @Override
      public Map<String, String> namespaceLabels(String namespace) {
        return Map.of();
      }

      @Override
      public Optional<String> nodePool(String node) {
        return Optional.empty();
      }
    };
  }
}
