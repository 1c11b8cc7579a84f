package io.chainwatch.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The remediation rails. Every limit the policy applies is here, with its default in {@link Settings}.
 *
 * @param dryRun decide and report, but make no write
 * @param excludedNamespaces namespaces whose pods are never evicted (their findings page)
 * @param podCooldown wait after an attempt on a pod (namespace/name) before the next
 * @param ownerCooldown pause between evictions of one owner's pods when no budget paces them
 * @param maxAttemptsPerOwnerPerHour evictions of one owner's pods per hour before paging
 * @param maxEvictionsPerMinute global limit in any 60-second window
 * @param breaker the blast-radius breaker
 * @param verifyTimeout how long the replacement has to run with its CiliumEndpoint
 * @param budgetRetries retries after a PodDisruptionBudget refusal before paging
 * @param budgetBackoff first wait after a refusal; doubles each time
 * @param requestTimeout bound on one API request
 * @param stateNamespace namespace of the state ConfigMap
 * @param stateConfigMap name of the state ConfigMap
 * @param rpFilterRepair the opt-in rp_filter repair through the node probe
 * @param detectorDryRun per detector, whether its findings only observe ({@code true}) or act ({@code false});
 *     detectors not named follow {@code dryRun}
 */
public record RemediationConfig(
    boolean dryRun,
    List<String> excludedNamespaces,
    Duration podCooldown,
    Duration ownerCooldown,
    int maxAttemptsPerOwnerPerHour,
    int maxEvictionsPerMinute,
    Breaker breaker,
    Duration verifyTimeout,
    int budgetRetries,
    Duration budgetBackoff,
    Duration requestTimeout,
    String stateNamespace,
    String stateConfigMap,
    RpFilterRepair rpFilterRepair,
    java.util.Map<String, Boolean> detectorDryRun) {
  public RemediationConfig {
    detectorDryRun = java.util.Map.copyOf(detectorDryRun);
    excludedNamespaces = List.copyOf(excludedNamespaces);
    Objects.requireNonNull(podCooldown, "podCooldown");
    Objects.requireNonNull(ownerCooldown, "ownerCooldown");
    Objects.requireNonNull(breaker, "breaker");
    Objects.requireNonNull(verifyTimeout, "verifyTimeout");
    Objects.requireNonNull(budgetBackoff, "budgetBackoff");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(stateNamespace, "stateNamespace");
    Objects.requireNonNull(stateConfigMap, "stateConfigMap");
    Objects.requireNonNull(rpFilterRepair, "rpFilterRepair");
  }

  /** The global mode as configured: {@code dry-run} or {@code enforce}. */
  public String mode() {
    return dryRun ? "dry-run" : "enforce";
  }

  /** Whether this detector's findings only observe: its own mode, else the global one. */
  public boolean dryRunFor(String detectorId) {
    return detectorDryRun.getOrDefault(detectorId, dryRun);
  }

  /** This detector's mode: {@code dry-run} or {@code enforce}. */
  public String modeFor(String detectorId) {
    return dryRunFor(detectorId) ? "dry-run" : "enforce";
  }

  /** Whether any detector's findings can act (the global mode, or a detector set to enforce). */
  public boolean anyEnforced() {
    return !dryRun || detectorDryRun.containsValue(false);
  }

  /**
   * Opt-in host repair: the node's probe writes rp_filter back on request.
   *
   * @param enabled whether rp-filter-reset findings become repair requests
   * @param nodeCooldown wait after a request before the same node gets another
   * @param maxAttemptsPerNodePerHour requests for one node per hour, then page
   * @param maxNodesPerWindow nodes repaired within the breaker window, then page (a fleet-wide change)
   * @param requestTtl a probe ignores an older request
   * @param keyFile the file holding the key that signs requests, empty when not set
   */
  public record RpFilterRepair(boolean enabled, Duration nodeCooldown, int maxAttemptsPerNodePerHour,
      int maxNodesPerWindow, Duration requestTtl, String keyFile) {
    public RpFilterRepair {
      Objects.requireNonNull(nodeCooldown, "nodeCooldown");
      Objects.requireNonNull(requestTtl, "requestTtl");
      keyFile = keyFile == null ? "" : keyFile;
    }

    public RpFilterRepair(boolean enabled, Duration nodeCooldown, int maxAttemptsPerNodePerHour,
        int maxNodesPerWindow, Duration requestTtl) {
      this(enabled, nodeCooldown, maxAttemptsPerNodePerHour, maxNodesPerWindow, requestTtl, "");
    }
  }

  /**
   * The blast-radius breaker: too many restart findings at once mean a cluster-wide problem restarts cannot fix.
   *
   * @param window counting window
   * @param maxPods opens above this many pods with restart findings in the window
   * @param maxNodeShare opens above this share of nodes affected in the window...
   * @param minNodes ...once at least this many nodes are affected
   * @param cooldown closes by itself after this long
   */
  public record Breaker(Duration window, int maxPods, double maxNodeShare, int minNodes, Duration cooldown) {
    public Breaker {
      Objects.requireNonNull(window, "window");
      Objects.requireNonNull(cooldown, "cooldown");
    }
  }
}
