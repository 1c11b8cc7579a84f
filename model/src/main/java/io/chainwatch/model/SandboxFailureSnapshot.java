package io.chainwatch.model;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A kubelet Event {@code FailedCreatePodSandBox} ({@code core/v1}): the runtime could not set up a pod's sandbox,
 * often because its CNI plugin failed. Only these Events are watched (a field selector on {@code reason}).
 *
 * @param namespace the Event's namespace (the pod's)
 * @param name the Event's name
 * @param podName the pod it is about ({@code involvedObject.name}); {@code null} when it is about something else
 * @param podUid the pod's UID ({@code involvedObject.uid}), {@code null} when not given
 * @param node the kubelet's node ({@code source.host}), {@code null} when not given
 * @param message the message, cut to {@link #MAX_MESSAGE} characters
 * @param count how often the kubelet saw it ({@code count}, or {@code series.count}; at least 1)
 * @param lastSeen when it last happened ({@code lastTimestamp}, {@code series.lastObservedTime} or
 *     {@code eventTime}), {@code null} when the Event says nothing
 */
public record SandboxFailureSnapshot(String namespace, String name, String podName, String podUid, String node,
    String message, int count, Instant lastSeen) implements Snapshot {
  public static final String REASON = "FailedCreatePodSandBox";
  public static final int MAX_MESSAGE = 512;
  /** What cilium-cni says when cilium-agent's IPAM could not give the pod an address ({@code plugins/cilium-cni}). */
  public static final String CILIUM_IPAM_FAILURE = "unable to allocate IP via local cilium agent";

  public SandboxFailureSnapshot {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    message = message == null ? "" : message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
  }

  @Override
  public ResourceRef ref() {
    return new ResourceRef("Event", namespace, name);
  }

  /** Whether Cilium's IPAM failed this pod (cilium-cni's own words are in the message). */
  public boolean ciliumIpamFailure() {
    return message.toLowerCase(Locale.ROOT).contains(CILIUM_IPAM_FAILURE.toLowerCase(Locale.ROOT));
  }

  /** What the agent said, after cilium-cni's prefix: {@code range is full}, {@code all CIDR ranges are exhausted}. */
  public String ipamError() {
    int at = message.toLowerCase(Locale.ROOT).indexOf(CILIUM_IPAM_FAILURE.toLowerCase(Locale.ROOT));
    if (at < 0) {
      return "";
    }
    String rest = message.substring(at + CILIUM_IPAM_FAILURE.length()).replaceFirst("^:\\s*", "");
    int failure = rest.indexOf("Failure");
    return (failure >= 0 ? rest.substring(failure + "Failure".length()) : rest).replace("\"", "").trim();
  }
}
