package io.chainwatch.watcher.detect;

import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.DetectorText;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingFacts;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.view.ClusterView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code kube-proxy-with-replacement} (warning, page): cilium-config turns Cilium's kube-proxy replacement on
 * ({@code kube-proxy-replacement: "true"}, or {@code strict} before Cilium 1.14) while kube-proxy still runs on nodes
 * that run a Cilium agent. Both then translate Services: Cilium in eBPF, kube-proxy in iptables or IPVS. Traffic that
 * misses Cilium's hooks is translated by kube-proxy's rules instead, so a cluster looks fine until kube-proxy is
 * finally removed or its rules go stale, and problems seen meanwhile are hard to pin on either.
 *
 * <p>kube-proxy pods are recognized by the labels its installers set ({@code k8s-app=kube-proxy}: kubeadm, EKS, kops;
 * {@code component=kube-proxy}: GKE's and other static pods) or, in {@code kube-system}, by the name {@code kube-proxy}
 * or {@code kube-proxy-*}. Not reported: the replacement off or {@code partial}/{@code probe} (kube-proxy is meant to
 * run then), kube-proxy pods that are not Running or are terminating (a migration in progress), and kube-proxy on
 * nodes Cilium does not serve (no agent and no CiliumNode: a Windows pool, say). An agent restarting during an upgrade
 * does not count: its CiliumNode stays.
 */
public final class KubeProxyWithReplacementDetector implements Detector {
  public static final String ID = "kube-proxy-with-replacement";
  /** Its declaration: registered in {@link DetectorCatalog#ALL}. */
  public static final DetectorSpec SPEC = new DetectorSpec(ID, new DetectorText(
      "kube-proxy runs next to Cilium's kube-proxy replacement",
      "Remove kube-proxy where Cilium replaces it: kubectl -n kube-system delete daemonset kube-proxy (on managed "
          + "clusters use the provider's switch, e.g. remove the EKS kube-proxy add-on), then clear its rules on each "
          + "node (kube-proxy --cleanup, or a node reboot or replacement). If kube-proxy must stay, set "
          + "kube-proxy-replacement to false in cilium-config."),
      DetectorSpec.enabledSetting(ID, "Report kube-proxy running on Cilium nodes while cilium-config enables "
          + "kube-proxy-replacement."),
      null, List.of(), Set.of(CiliumConfigSnapshot.class, PodSnapshot.class,
          io.chainwatch.model.CiliumNodeSnapshot.class),
      config -> new KubeProxyWithReplacementDetector());

  private static final int MAX_LISTED = 10;

  @Override
  public String id() {
    return ID;
  }

  /** Whether {@code pod} is a kube-proxy pod, by its installers' labels or its name in kube-system. */
  static boolean isKubeProxy(PodSnapshot pod) {
    Map<String, String> labels = pod.labels();
    if ("kube-proxy".equals(labels.get("k8s-app")) || "kube-proxy".equals(labels.get("component"))) {
      return true;
    }
    return "kube-system".equals(pod.namespace())
        && (pod.name().equals("kube-proxy") || pod.name().startsWith("kube-proxy-"));
  }

  /** Whether cilium-config turns the full replacement on: {@code true}, or {@code strict} before 1.14. */
  static Optional<String> replacementOn(CiliumConfigSnapshot config) {
    String value = config.data().get("kube-proxy-replacement");
    if (value == null) {
      return Optional.empty();
    }
    String normalized = value.trim().toLowerCase(Locale.ROOT);
    return normalized.equals("true") || normalized.equals("strict") ? Optional.of(value.trim()) : Optional.empty();
  }

  /**
   * Whether Cilium serves the node: its agent runs there, or its CiliumNode exists (which outlives agent restarts and
   * upgrades, so a Cilium upgrade does not clear and raise the finding again).
   */
  private static boolean servedByCilium(String node, ClusterView view) {
    return !view.ciliumAgentsOn(node).isEmpty() || view.ciliumNode(node).isPresent();
  }

  @Override
  public Subjects affectedBy(ClusterChange change, ClusterView view) {
    Snapshot latest = change.latest();
    if (latest instanceof CiliumConfigSnapshot || latest instanceof io.chainwatch.model.CiliumNodeSnapshot) {
      return Subjects.ALL;
    }
    if (latest instanceof PodSnapshot pod && (isKubeProxy(pod) || view.isCiliumAgent(pod))) {
      return view.ciliumConfig().map(config -> Subjects.of(List.of(config.ref()))).orElse(Subjects.NONE);
    }
    return Subjects.NONE;
  }

  @Override
  public Collection<ResourceRef> allSubjects(ClusterView view) {
    return view.ciliumConfig().map(config -> List.of(config.ref())).orElse(List.of());
  }

  @Override
  public Evaluation evaluate(ResourceRef subject, ClusterView view, Instant now) {
    CiliumConfigSnapshot config = view.ciliumConfig().filter(c -> c.ref().equals(subject)).orElse(null);
    Optional<String> replacement = config == null ? Optional.empty() : replacementOn(config);
    if (replacement.isEmpty()) {
      return Evaluation.NOTHING;
    }
    List<String> pods = new ArrayList<>();
    Set<String> nodes = new TreeSet<>();
    for (PodSnapshot pod : view.pods()) {
      if (!isKubeProxy(pod) || !pod.running() || pod.terminating() || pod.nodeName() == null
          || !servedByCilium(pod.nodeName(), view)) {
        continue;
      }
      pods.add(pod.namespace() + "/" + pod.name() + " on " + pod.nodeName());
      nodes.add(pod.nodeName());
    }
    if (pods.isEmpty()) {
      return Evaluation.NOTHING;
    }
    pods.sort(null);
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("kubeProxyReplacement", replacement.get());
    evidence.put("ciliumConfig", config.namespace() + "/" + config.name());
    evidence.put("kubeProxyPods", pods.size());
    evidence.put("nodes", nodes.size());
    evidence.put("pods", List.copyOf(pods.subList(0, Math.min(MAX_LISTED, pods.size()))));
    evidence.put(FindingFacts.ACTION_REASON, "removing kube-proxy is a deployment change only a person makes");
    String summary = "cilium-config (" + config.namespace() + "/" + config.name() + ") sets kube-proxy-replacement: "
        + replacement.get() + ", but kube-proxy still runs on " + nodes.size() + " node(s) with Cilium ("
        + String.join(", ", pods.subList(0, Math.min(3, pods.size()))) + (pods.size() > 3 ? ", ..." : "")
        + "): both translate Services, Cilium in eBPF and kube-proxy in iptables or IPVS, so traffic that misses "
        + "Cilium's hooks takes kube-proxy's rules and breaks differently once they go stale or kube-proxy is removed."
        + " Remove kube-proxy and clear its rules, or set kube-proxy-replacement to false.";
    return Evaluation.of(new Finding(ID, subject, null, Severity.WARNING, PlannedAction.PAGE, "kube-proxy-running",
        summary, now, evidence));
  }
}
