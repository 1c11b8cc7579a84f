package io.chainwatch.notifier.condition;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Puts chainwatch's conditions on a Node's status ({@code PATCH nodes/<name>/status}, a JSON Patch). The kubelet owns
 * the other conditions and writes them too, so the patch replaces the whole list only if the Node has not changed
 * since it was read (a {@code test} of {@code metadata.resourceVersion}); a conflict is retried from a fresh read.
 * Conditions already there with the same status, reason and message are not written again; a status that did not
 * change keeps its {@code lastTransitionTime}.
 */
public final class NodeConditionWriter {
  /** How a write ended. */
  public enum Result { WRITTEN, ALREADY_THERE, NODE_GONE, CONFLICT, FAILED }

  private static final int ATTEMPTS = 3;

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NodeConditionWriter.class);
  private final KubernetesClient client;

  public NodeConditionWriter(KubernetesClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /** Blocking: call off the event loop. */
  public Result write(String node, List<NodeConditionBook.Condition> conditions, Instant now) {
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Node current;
      try {
        current = client.nodes().withName(node).get();
      } catch (KubernetesClientException e) {
        LOG.warn("Reading node {} failed: HTTP {} {}", node, e.getCode(), e.getMessage());
        return Result.FAILED;
      }
      if (current == null) {
        return Result.NODE_GONE;
      }
      List<NodeCondition> existing = current.getStatus() == null || current.getStatus().getConditions() == null
          ? List.of() : current.getStatus().getConditions();
      Map<String, NodeCondition> byType = existing.stream()
          .collect(Collectors.toMap(NodeCondition::getType, Function.identity(), (a, b) -> a));
      if (conditions.stream().allMatch(wanted -> same(byType.get(wanted.type()), wanted))) {
        return Result.ALREADY_THERE;
      }
      String time = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
      List<Object> list = new ArrayList<>();
      List<String> ours = conditions.stream().map(NodeConditionBook.Condition::type).toList();
      for (NodeCondition condition : existing) {
        if (!ours.contains(condition.getType())) {
          list.add(condition); // the kubelet's and other controllers' conditions, as they are
        }
      }
      for (NodeConditionBook.Condition wanted : conditions) {
        NodeCondition before = byType.get(wanted.type());
        Map<String, Object> entry = new java.util.LinkedHashMap<>();
        entry.put("type", wanted.type());
        entry.put("status", wanted.status());
        entry.put("reason", wanted.reason());
        entry.put("message", wanted.message());
        entry.put("lastHeartbeatTime", time);
        entry.put("lastTransitionTime", before != null && wanted.status().equals(before.getStatus())
            && before.getLastTransitionTime() != null ? before.getLastTransitionTime() : time);
        list.add(entry);
      }
      List<Map<String, Object>> patch = List.of(
          Map.of("op", "test", "path", "/metadata/resourceVersion",
              "value", current.getMetadata().getResourceVersion()),
          Map.of("op", current.getStatus() != null && current.getStatus().getConditions() != null ? "replace" : "add",
              "path", "/status/conditions", "value", list));
      try {
        client.nodes().withName(node).subresource("status").patch(PatchContext.of(PatchType.JSON),
            client.getKubernetesSerialization().asJson(patch));
        return Result.WRITTEN;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return Result.NODE_GONE;
        }
        if (e.getCode() != 409 && e.getCode() != 422) {
          LOG.warn("Patching the status of node {} failed: HTTP {} {}", node, e.getCode(), e.getMessage());
          return Result.FAILED;
        }
        // the Node changed since it was read (the kubelet's heartbeat): read it again
      }
    }
    return Result.CONFLICT;
  }

  private static boolean same(NodeCondition there, NodeConditionBook.Condition wanted) {
    return there != null && wanted.status().equals(there.getStatus()) && wanted.reason().equals(there.getReason())
        && wanted.message().equals(there.getMessage());
  }
}
