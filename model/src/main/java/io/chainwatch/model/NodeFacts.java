package io.chainwatch.model;

/**
 * What a node is, as the fleet compares nodes across clusters. Any fact may be {@code null}: unknown.
 *
 * @param node the node's name
 * @param nodePool its pool ({@link NodePools})
 * @param osImage {@code status.nodeInfo.osImage}
 * @param kernel {@code status.nodeInfo.kernelVersion}
 * @param kubelet {@code status.nodeInfo.kubeletVersion}
 * @param ciliumVersion the Cilium agent's version (the agent DaemonSet's image tag)
 */
public record NodeFacts(String node, String nodePool, String osImage, String kernel, String kubelet,
    String ciliumVersion) {
  /** Nothing known about {@code node} but the cluster's Cilium version. */
  public static NodeFacts unknown(String node, String ciliumVersion) {
    return new NodeFacts(node, null, null, null, null, ciliumVersion);
  }
}
