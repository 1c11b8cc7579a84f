package io.chainwatch.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A node's pool, from the label its cloud or provisioner sets. */
public final class NodePools {
  /** Labels that name a node's pool on the clouds the field reports and their peers use, in the order asked. */
  public static final List<String> LABELS = List.of("node.tke.cloud.tencent.com/nodepool-id",
      "cloud.google.com/gke-nodepool", "eks.amazonaws.com/nodegroup", "kubernetes.azure.com/agentpool",
      "karpenter.sh/nodepool");

  private NodePools() {}

  /** The pool named by the first of {@link #LABELS} the node has, if any. */
  public static Optional<String> of(Map<String, String> nodeLabels) {
    for (String label : LABELS) {
      String pool = nodeLabels.get(label);
      if (pool != null && !pool.isEmpty()) {
        return Optional.of(pool);
      }
    }
    return Optional.empty();
  }
}
