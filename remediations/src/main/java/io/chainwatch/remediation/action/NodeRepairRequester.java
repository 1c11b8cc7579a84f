package io.chainwatch.remediation.action;

import io.chainwatch.remediation.policy.RepairRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.vertx.core.json.JsonObject;

/**
 * Writes a repair request on a Node as {@link RepairRequest#ANNOTATION}, with a JSON merge patch that touches only
 * that annotation. Blocking: call it on a worker.
 */
public final class NodeRepairRequester {
  private final KubernetesClient client;

  public NodeRepairRequester(KubernetesClient client) {
    this.client = client;
  }

  public void request(String node, RepairRequest request) {
    JsonObject patch = new JsonObject().put("metadata", new JsonObject().put("annotations",
        new JsonObject().put(RepairRequest.ANNOTATION, RepairRequestCodec.encode(request))));
    client.nodes().withName(node).patch(PatchContext.of(PatchType.JSON_MERGE), patch.encode());
  }
}
