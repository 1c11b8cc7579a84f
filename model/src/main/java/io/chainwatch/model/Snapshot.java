package io.chainwatch.model;

/**
 * A slim projection of one Kubernetes object: only the fields detectors read. The long-lived cluster view holds these,
 * never full fabric8 objects, so a 150k-pod cluster fits in a small heap.
 */
public sealed interface Snapshot
    permits PodSnapshot,
        NodeSnapshot,
        EndpointSnapshot,
        NamespaceSnapshot,
        CiliumNodeSnapshot,
        CiliumConfigSnapshot,
        BudgetSnapshot,
        DaemonSetSnapshot,
        PolicySnapshot,
        SandboxFailureSnapshot {

  /** The object this snapshot was projected from. */
  ResourceRef ref();
}
