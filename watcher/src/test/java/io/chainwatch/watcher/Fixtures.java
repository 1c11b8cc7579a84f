package io.chainwatch.watcher;

import io.chainwatch.config.LabelSelector;
import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.EndpointSnapshot;
import io.chainwatch.model.NamespaceSnapshot;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.OwnerRef;
import io.chainwatch.model.PodNetworkRequest;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.view.AgentIdentity;
import io.chainwatch.watcher.view.ClusterState;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Snapshot builders for detector and evaluator tests. */
public final class Fixtures {
  public static final Instant T0 = Instant.parse("2026-11-23T04:00:00Z");
  public static final AgentIdentity AGENTS =
      new AgentIdentity("kube-system", new LabelSelector("k8s-app", "cilium"), "cilium-config");

  private Fixtures() {}

  public static Instant at(int seconds) {
    return T0.plus(Duration.ofSeconds(seconds));
  }

  public static ClusterState view(Snapshot... snapshots) {
    ClusterState state = ClusterState.detached(AGENTS);
    for (Snapshot snapshot : snapshots) {
      state.put(snapshot);
    }
    return state;
  }

  public static PodBuilder pod(String namespace, String name) {
    return new PodBuilder(namespace, name);
  }

  /** A Ready cilium-agent pod on {@code node}, Ready since {@code readySince}. */
  public static PodBuilder agent(String node, Instant readySince) {
    return new PodBuilder("kube-system", "cilium-" + node).node(node).label("k8s-app", "cilium")
        .owner("DaemonSet", "cilium").started(readySince.minusSeconds(20)).ready(true, readySince);
  }

  public static NodeSnapshot node(String name) {
    return new NodeSnapshot(name, T0.minusSeconds(3600), true, Map.of("kubernetes.io/hostname", name), List.of(),
        Map.of());
  }

  /** The endpoint Cilium creates for {@code pod}. */
  public static EndpointSnapshot endpointOf(PodSnapshot pod) {
    return new EndpointSnapshot(pod.namespace(), pod.name(), List.of(pod.uid()), "ready");
  }

  public static EndpointSnapshot endpoint(String namespace, String name, String... ownerUids) {
    return new EndpointSnapshot(namespace, name, List.of(ownerUids), "ready");
  }

  public static CiliumConfigSnapshot ciliumConfig(String... keyValues) {
    Map<String, String> data = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      data.put(keyValues[i], keyValues[i + 1]);
    }
    return new CiliumConfigSnapshot("kube-system", "cilium-config", data);
  }

  public static NamespaceSnapshot namespace(String name, boolean remediationDisabled) {
    return new NamespaceSnapshot(name, remediationDisabled);
  }

  /** Builds a Running pod-network pod on node-1 owned by a ReplicaSet, started at T0. */
  public static final class PodBuilder {
    private final String namespace;
    private final String name;
    private String uid;
    private String node = "node-1";
    private String phase = "Running";
    private boolean hostNetwork;
    private boolean terminating;
    private Instant started = T0;
    private boolean ready = true;
    private Instant readyChangedAt;
    private OwnerRef owner;
    private final Map<String, String> labels = new HashMap<>();
    private boolean remediationDisabled;
    private PodNetworkRequest networkRequest;
    private final List<String> tolerated = new java.util.ArrayList<>();
    private String podIp;

    PodBuilder(String namespace, String name) {
      this.namespace = namespace;
      this.name = name;
      this.uid = name + "-uid";
      this.owner = new OwnerRef("ReplicaSet", name + "-rs", name + "-rs-uid");
    }

    public PodBuilder uid(String value) {
      uid = value;
      return this;
    }

    public PodBuilder node(String value) {
      node = value;
      return this;
    }

    public PodBuilder phase(String value) {
      phase = value;
      return this;
    }

    public PodBuilder hostNetwork() {
      hostNetwork = true;
      return this;
    }

    public PodBuilder terminating() {
      terminating = true;
      return this;
    }

    public PodBuilder started(Instant value) {
      started = value;
      return this;
    }

    public PodBuilder ready(boolean value, Instant changedAt) {
      ready = value;
      readyChangedAt = changedAt;
      return this;
    }

    public PodBuilder owner(String kind, String ownerName) {
      owner = kind == null ? null : new OwnerRef(kind, ownerName, ownerName + "-uid");
      return this;
    }

    public PodBuilder bare() {
      owner = null;
      return this;
    }

    public PodBuilder label(String key, String value) {
      labels.put(key, value);
      return this;
    }

    public PodBuilder remediationDisabled() {
      remediationDisabled = true;
      return this;
    }

    /** The pod carries {@code tke.cloud.tencent.com/networks: networks} and got {@code podIp}. */
    public PodBuilder networks(String networks, String podIp) {
      networkRequest = new PodNetworkRequest(networks, podIp);
      return this;
    }

    public PodBuilder ip(String value) {
      podIp = value;
      return this;
    }

    /** The pod tolerates NoSchedule taints with this key ({@code *}: every taint). */
    public PodBuilder tolerates(String key) {
      tolerated.add(key);
      return this;
    }

    public PodSnapshot build() {
      return new PodSnapshot(namespace, name, uid, node, phase, hostNetwork, terminating, started.minusSeconds(2),
          started, ready, readyChangedAt, owner, labels, remediationDisabled, networkRequest, tolerated, List.of(), podIp);
    }
  }
}
