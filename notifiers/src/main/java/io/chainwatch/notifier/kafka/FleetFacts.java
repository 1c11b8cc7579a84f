package io.chainwatch.notifier.kafka;

import io.chainwatch.model.FleetDimension;
import io.chainwatch.model.NodeFacts;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The facts a fleet groups records by, on every record: cluster, detector, reason, node, node pool, OS image,
 * kernel, kubelet and Cilium version, and the cause fingerprint ({@code detector/reason/dimension=value}, the
 * dimension being the one the detector declares explains it across clusters). Written as CloudEvents extension
 * attributes ({@code chainwatchcluster}, ...) and, the same values, as Kafka headers ({@code chainwatch-cluster},
 * ...), so routers and Kafka Connect transforms filter without parsing the value. Unknown facts are left out.
 */
public final class FleetFacts {
  /** What a node is, as the cluster view shows it now. */
  @FunctionalInterface
  public interface Source {
    /** The node's facts; {@code null} or unknown facts are left out. {@code node} may be {@code null}: cluster only. */
    NodeFacts node(String node);
  }

  /** No view: only the cluster, detector, reason, node and fingerprint. */
  public static final Source NONE = node -> NodeFacts.unknown(node, null);

  /** Extension attribute → Kafka header, in the order records carry them. */
  static final Map<String, String> HEADERS = headers();

  private FleetFacts() {}

  private static Map<String, String> headers() {
    Map<String, String> names = new LinkedHashMap<>();
    for (String fact : new String[] {"cluster", "detector", "reason", "node", "nodepool", "osimage", "kernel",
        "kubelet", "cilium", "cause"}) {
      names.put("chainwatch" + fact, "chainwatch-" + fact);
    }
    return Map.copyOf(names);
  }

  /**
   * Puts the facts on {@code event} as extension attributes.
   *
   * @param detector the record's detector, {@code null} for records of no detector (a click, the breaker)
   * @param reason the finding's reason, {@code null} when the record has none (an incident)
   * @param node the node the record is about, {@code null} when none
   * @param dimension what explains the detector's findings across clusters
   */
  static JsonObject put(JsonObject event, String cluster, String detector, String reason, String node,
      FleetDimension dimension, Source source) {
    NodeFacts facts = source.node(node);
    if (facts == null) {
      facts = NodeFacts.unknown(node, null);
    }
    putIfKnown(event, "chainwatchcluster", cluster);
    putIfKnown(event, "chainwatchdetector", detector);
    putIfKnown(event, "chainwatchreason", reason);
    putIfKnown(event, "chainwatchnode", node);
    putIfKnown(event, "chainwatchnodepool", facts.nodePool());
    putIfKnown(event, "chainwatchosimage", facts.osImage());
    putIfKnown(event, "chainwatchkernel", facts.kernel());
    putIfKnown(event, "chainwatchkubelet", facts.kubelet());
    putIfKnown(event, "chainwatchcilium", facts.ciliumVersion());
    if (detector != null) {
      String value = dimension.of(facts);
      event.put("chainwatchcause", detector + "/" + (reason == null ? "" : reason) + "/" + dimension.wireName() + "="
          + (value == null ? "unknown" : value));
    }
    return event;
  }

  private static void putIfKnown(JsonObject event, String attribute, String value) {
    if (value != null && !value.isEmpty()) {
      event.put(attribute, value);
    }
  }
}
