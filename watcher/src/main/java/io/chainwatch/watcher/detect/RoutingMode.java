package io.chainwatch.watcher.detect;

import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.watcher.view.ClusterView;
import java.util.Locale;
import java.util.Optional;

/**
 * Cilium's routing mode and the signal it was read from: configuration pins it, otherwise cilium-config's
 * {@code routing-mode} ({@code native} or {@code tunnel}), otherwise the older {@code tunnel} key ({@code disabled}
 * means native, a protocol name means tunnel).
 *
 * @param nativeRouting true for native routing (pod IPs are VPC IPs), false for overlay
 * @param signal what it was read from, for the evidence
 */
public record RoutingMode(boolean nativeRouting, String signal) {
  /** The mode, or empty when neither configuration nor cilium-config says. */
  public static Optional<RoutingMode> of(ClusterView view, String configured) {
    if (configured.equals("native") || configured.equals("tunnel")) {
      return Optional.of(new RoutingMode(configured.equals("native"),
          "configured detectors.rp-filter-reset.routingMode=" + configured));
    }
    Optional<CiliumConfigSnapshot> config = view.ciliumConfig();
    if (config.isEmpty()) {
      return Optional.empty();
    }
    String mode = config.get().data().get("routing-mode");
    if (mode != null && !mode.isBlank()) {
      String value = mode.trim().toLowerCase(Locale.ROOT);
      if (value.equals("native") || value.equals("tunnel")) {
        return Optional.of(new RoutingMode(value.equals("native"), "cilium-config routing-mode=" + value));
      }
    }
    String tunnel = config.get().data().get("tunnel");
    if (tunnel != null && !tunnel.isBlank()) {
      String value = tunnel.trim().toLowerCase(Locale.ROOT);
      return Optional.of(new RoutingMode(value.equals("disabled"), "cilium-config tunnel=" + value));
    }
    return Optional.empty();
  }

  public String wireName() {
    return nativeRouting ? "native" : "tunnel";
  }
}
