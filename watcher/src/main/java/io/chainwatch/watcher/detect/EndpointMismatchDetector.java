package io.chainwatch.watcher.detect;

import io.chainwatch.config.Parsers;
import io.chainwatch.config.Setting;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.DetectorText;
import io.chainwatch.model.EndpointSnapshot;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingFacts;
import io.chainwatch.model.NamespaceSnapshot;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.view.ClusterView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code endpoint-mismatch} (critical): a pod's own CiliumEndpoint (owned by its UID) does not describe it, so Cilium
 * enforces policy and routes for something else: its addresses are not the pod's IP (peers resolve the pod's address
 * to no identity or a wrong one), or its identity is still {@code reserved:init} (labels never resolved: only
 * init policy applies) past {@code settle}. A restart gives the pod a new endpoint, so it is restarted when its owner
 * recreates it, else paged.
 *
 * <p>Not judged: pods younger than {@code settle} (the agent publishes the endpoint after the pod starts),
 * hostNetwork pods, terminating ones, pods without an IP yet, endpoints of an earlier pod of the same name (that is
 * missed-cilium-chain's {@code stale-endpoint}) and endpoints without owner. An endpoint state other than ready is
 * judged from the agent itself by {@code endpoint-stuck} (the CiliumEndpoint has no time for its state).
 */
public final class EndpointMismatchDetector implements Detector {
  public static final String ID = "endpoint-mismatch";
  public static final Setting<Duration> SETTLE = new Setting<>("detectors.endpoint-mismatch.settle", "PT2M",
      "an ISO-8601 duration of at least PT30S, such as PT2M", Parsers.duration(Duration.ofSeconds(30)),
      "A pod and its CiliumEndpoint must be this old before they are compared.", false);
  /** Its declaration: registered in {@link DetectorCatalog#ALL}. */
  public static final DetectorSpec SPEC = new DetectorSpec(ID, new DetectorText(
      "CiliumEndpoint does not match its pod",
      "kubectl get ciliumendpoint <pod> -n <namespace> -o yaml against kubectl get pod -o wide: the addresses and the "
          + "identity must be the pod's. Restart the pod so the agent builds a new endpoint; if it recurs, look at "
          + "the agent's logs on the node (identity allocation, IPAM release)."),
      DetectorSpec.enabledSetting(ID, "Report pods whose own CiliumEndpoint has other addresses than the pod, or "
          + "an identity stuck at reserved:init."),
      null, List.of(SETTLE), Set.of(PodSnapshot.class, EndpointSnapshot.class, NamespaceSnapshot.class),
      config -> new EndpointMismatchDetector(config.value(SETTLE)));

  private final Duration settle;

  public EndpointMismatchDetector(Duration settle) {
    this.settle = settle;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Subjects affectedBy(ClusterChange change, ClusterView view) {
    Snapshot latest = change.latest();
    if (latest instanceof PodSnapshot pod) {
      return Subjects.of(List.of(pod.ref()));
    }
    if (latest instanceof EndpointSnapshot endpoint) {
      return Subjects.of(List.of(ResourceRef.pod(endpoint.namespace(), endpoint.name())));
    }
    if (latest instanceof NamespaceSnapshot) {
      return Subjects.ALL; // a namespace's opt-out changes the action
    }
    return Subjects.NONE;
  }

  @Override
  public Collection<ResourceRef> allSubjects(ClusterView view) {
    List<ResourceRef> subjects = new ArrayList<>();
    for (PodSnapshot pod : view.pods()) {
      if (!pod.hostNetwork() && view.endpoint(pod.namespace(), pod.name()).isPresent()) {
        subjects.add(pod.ref());
      }
    }
    return subjects;
  }

  @Override
  public Evaluation evaluate(ResourceRef subject, ClusterView view, Instant now) {
    PodSnapshot pod = view.pod(subject.namespace(), subject.name()).orElse(null);
    EndpointSnapshot endpoint = view.endpoint(subject.namespace(), subject.name()).orElse(null);
    if (pod == null || endpoint == null || !pod.running() || pod.hostNetwork() || pod.terminating()
        || view.isCiliumAgent(pod) || !endpoint.ownedBy(pod.uid())) {
      return Evaluation.NOTHING; // an endpoint of an earlier pod of this name is missed-cilium-chain's
    }
    Instant podSince = pod.startedOrCreatedAt();
    Instant judgeable = later(podSince == null ? null : podSince.plus(settle),
        endpoint.createdAt() == null ? null : endpoint.createdAt().plus(settle));
    if (judgeable == null) {
      return Evaluation.NOTHING;
    }
    if (now.isBefore(judgeable)) {
      return Evaluation.recheckAt(judgeable);
    }
    String reason;
    String what;
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put(FindingFacts.SUBJECT_UID, pod.uid());
    evidence.put("podIp", pod.podIp());
    evidence.put("endpointAddresses", endpoint.addresses());
    evidence.put("endpointIdentity", endpoint.identityId());
    if (pod.podIp() != null && !endpoint.addresses().isEmpty() && !holds(endpoint.addresses(), pod.podIp())) {
      reason = "address-mismatch";
      what = "its CiliumEndpoint gives the addresses " + String.join(", ", endpoint.addresses()) + " but the pod's "
          + "IP is " + pod.podIp() + ": peers resolve the pod's traffic to no identity (or another pod's), so "
          + "policy drops or misjudges it";
    } else if (endpoint.identityId() == EndpointSnapshot.INIT_IDENTITY) {
      reason = "identity-init";
      what = "its CiliumEndpoint still has the reserved:init identity " + Durations.human(Duration.between(
          endpoint.createdAt() == null ? podSince : endpoint.createdAt(), now)) + " after it was created: the agent"
          + " never resolved the pod's labels, so only init policy applies to it";
    } else {
      return Evaluation.NOTHING;
    }
    RestartChoice choice = RestartChoice.of(pod, view, ", and the agent builds a new endpoint for the new pod");
    evidence.put("owner", pod.owner() == null ? null : pod.owner().kind() + "/" + pod.owner().name());
    evidence.put(FindingFacts.ACTION_REASON, choice.why());
    String summary = "Pod " + pod.namespace() + "/" + pod.name() + (pod.nodeName() == null ? ""
        : " on node " + pod.nodeName()) + ": " + what + ". " + choice.sentence();
    return Evaluation.of(new Finding(ID, subject, pod.nodeName(), Severity.CRITICAL, choice.action(), reason, summary,
        now, evidence));
  }

  /** Whether {@code addresses} hold {@code ip}, compared as addresses ({@code fd00::1} is {@code fd00:0::1}). */
  static boolean holds(List<String> addresses, String ip) {
    byte[] wanted = Cidr.parseAddress(ip.trim());
    for (String address : addresses) {
      byte[] candidate = Cidr.parseAddress(address.trim());
      if (wanted == null || candidate == null ? address.trim().equals(ip.trim()) : Arrays.equals(wanted, candidate)) {
        return true;
      }
    }
    return false;
  }

  private static Instant later(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isAfter(b) ? a : b;
  }
}
