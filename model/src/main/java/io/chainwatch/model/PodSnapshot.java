package io.chainwatch.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What detectors need to know about a pod.
 *
 * @param namespace pod namespace
 * @param name pod name
 * @param uid pod UID (a CiliumEndpoint belongs to the pod whose UID its ownerReferences hold)
 * @param nodeName node the pod is bound to, {@code null} while unscheduled
 * @param phase {@code status.phase}, {@code null} when absent
 * @param hostNetwork {@code spec.hostNetwork}
 * @param terminating {@code metadata.deletionTimestamp} is set
 * @param createdAt {@code metadata.creationTimestamp}
 * @param startedAt {@code status.startTime}, {@code null} until the kubelet accepted the pod
 * @param ready the Ready condition is True
 * @param readyChangedAt {@code lastTransitionTime} of the Ready condition (when it last became True or False),
 *     {@code null} when unknown
 * @param owner the controlling owner, {@code null} for a bare pod
 * @param labels pod labels
 * @param remediationDisabled annotated {@code chainwatch.io/remediation: disabled}
 * @param networkRequest the pod's {@code tke.cloud.tencent.com/networks} request and IP, {@code null} without one
 * @param toleratedNoSchedule keys of the {@code NoSchedule} taints the pod tolerates; {@code *} when it tolerates every
 *     taint ({@code operator: Exists} without a key)
 * @param initContainers names of the pod's init containers
 */
public record PodSnapshot(
    String namespace,
    String name,
    String uid,
    String nodeName,
    String phase,
    boolean hostNetwork,
    boolean terminating,
    Instant createdAt,
    Instant startedAt,
    boolean ready,
    Instant readyChangedAt,
    OwnerRef owner,
    Map<String, String> labels,
    boolean remediationDisabled,
    PodNetworkRequest networkRequest,
    List<String> toleratedNoSchedule,
    List<String> initContainers,
    String podIp)
    implements Snapshot {
  /** Stands for every key in {@link #toleratedNoSchedule}. */
  public static final String ANY_TAINT = "*";

  public PodSnapshot {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    labels = Map.copyOf(labels);
    toleratedNoSchedule = List.copyOf(toleratedNoSchedule);
    initContainers = List.copyOf(initContainers);
  }

  /** A pod whose IP is not known. */
  public PodSnapshot(String namespace, String name, String uid, String nodeName, String phase, boolean hostNetwork,
      boolean terminating, Instant createdAt, Instant startedAt, boolean ready, Instant readyChangedAt, OwnerRef owner,
      Map<String, String> labels, boolean remediationDisabled, PodNetworkRequest networkRequest,
      List<String> toleratedNoSchedule, List<String> initContainers) {
    this(namespace, name, uid, nodeName, phase, hostNetwork, terminating, createdAt, startedAt, ready, readyChangedAt,
        owner, labels, remediationDisabled, networkRequest, toleratedNoSchedule, initContainers, null);
  }

  /** A pod without tolerations or init containers. */
  public PodSnapshot(String namespace, String name, String uid, String nodeName, String phase, boolean hostNetwork,
      boolean terminating, Instant createdAt, Instant startedAt, boolean ready, Instant readyChangedAt, OwnerRef owner,
      Map<String, String> labels, boolean remediationDisabled, PodNetworkRequest networkRequest) {
    this(namespace, name, uid, nodeName, phase, hostNetwork, terminating, createdAt, startedAt, ready, readyChangedAt,
        owner, labels, remediationDisabled, networkRequest, List.of(), List.of());
  }

  /** Whether the pod tolerates a {@code NoSchedule} taint with this key (so the scheduler may place it anyway). */
  public boolean tolerates(String taintKey) {
    return toleratedNoSchedule.contains(ANY_TAINT) || toleratedNoSchedule.contains(taintKey);
  }

  @Override
  public ResourceRef ref() {
    return ResourceRef.pod(namespace, name);
  }

  /** When the pod started on its node: {@code status.startTime}, else its creation time. */
  public Instant startedOrCreatedAt() {
    return startedAt != null ? startedAt : createdAt;
  }

  /**
   * Identifies the controller that recreates this pod, {@code namespace/Kind/name}; {@code null} for a bare pod.
   * Pods of one owner share it, and a replacement pod has the same one as the pod it replaces.
   */
  public String ownerKey() {
    return owner == null ? null : namespace + "/" + owner.kind() + "/" + owner.name();
  }

  public boolean running() {
    return "Running".equals(phase);
  }
}
