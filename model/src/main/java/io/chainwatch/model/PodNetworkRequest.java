package io.chainwatch.model;

import java.util.Objects;

/**
 * A pod's request for a network other than the cluster default, and the address it got: TKE's
 * {@code tke.cloud.tencent.com/networks} annotation (for example {@code tke-route-eni}, a VPC IP through VPC-CNI in
 * a GlobalRouter cluster). Kept only for pods that carry the annotation, so the view does not hold every pod's IP.
 *
 * @param networks the annotation value, verbatim
 * @param podIp {@code status.podIP}, {@code null} until the pod has one
 */
public record PodNetworkRequest(String networks, String podIp) {
  public PodNetworkRequest {
    Objects.requireNonNull(networks, "networks");
  }
}
