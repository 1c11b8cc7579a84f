package io.chainwatch.watcher.detect;

import java.util.List;
import java.util.Locale;

/**
 * What a node's OS ({@code status.nodeInfo.osImage}) says about rp_filter: whether systemd-sysctl runs there and
 * re-applies the distribution's sysctl.d defaults when restarted (systemd's own 50-default.conf sets
 * {@code net.ipv4.conf.*.rp_filter = 2}; some images set 1). Talos has no systemd and applies sysctls from its
 * machine configuration. An OS not listed is unknown: it confirms nothing.
 */
final class HostOs {
  private static final List<String> SYSTEMD_SYSCTL = List.of("ubuntu", "debian", "amazon linux", "bottlerocket",
      "container-optimized os", "centos", "red hat", "rocky", "almalinux", "fedora", "flatcar", "suse", "sles",
      "tencentos", "tencent", "cbl-mariner", "azure linux", "oracle linux", "alibaba cloud linux");

  private HostOs() {}

  static boolean reappliesSysctlDefaults(String osImage) {
    String os = osImage.toLowerCase(Locale.ROOT).trim();
    return !os.startsWith("talos") && SYSTEMD_SYSCTL.stream().anyMatch(os::startsWith);
  }
}
