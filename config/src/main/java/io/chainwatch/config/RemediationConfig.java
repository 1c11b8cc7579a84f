package io.chainwatch.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The remediation rails. Every limit the policy applies is here, with its default in {@link Settings}.
 *
 * @param mode the global mode: {@code dry-run} (decide and report, no write), {@code approve} (act only on a person's
 *     click, through the same rails) or {@code enforce}
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
 * @param detectorModes per detector, {@code observe}, {@code approve} or {@code enforce}; detectors not named
 *     follow {@code mode}
 * @param approvalTimeout in mode approve, how long a planned action waits for a click
 */
public record RemediationConfig(
    String mode,
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
    java.util.Map<String, String> detectorModes,
    Duration approvalTimeout) {
  public static final String OBSERVE = "observe";
  public static final String APPROVE = "approve";
  public static final String ENFORCE = "enforce";

  public RemediationConfig {
    Objects.requireNonNull(mode, "mode");
    detectorModes = java.util.Map.copyOf(detectorModes);
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
    Objects.requireNonNull(approvalTimeout, "approvalTimeout");
  }

  /** Whether the global mode is dry-run. */
  public boolean dryRun() {
    return "dry-run".equals(mode);
  }

  /** This detector's mode as configured: observe, approve or enforce. */
  private String configuredMode(String detectorId) {
    String own = detectorModes.get(detectorId);
    if (own != null) {
      return own;
    }
    return dryRun() ? OBSERVE : mode;
  }

  /** Whether this detector's findings only observe: its own mode, else the global one. */
  public boolean dryRunFor(String detectorId) {
    return OBSERVE.equals(configuredMode(detectorId));
  }

  /** Whether this detector's actions wait for a person's approval. */
  public boolean approvalFor(String detectorId) {
    return APPROVE.equals(configuredMode(detectorId));
  }

  /** This detector's mode on the wire: {@code dry-run}, {@code approve} or {@code enforce}. */
  public String modeFor(String detectorId) {
    String own = configuredMode(detectorId);
    return OBSERVE.equals(own) ? "dry-run" : own;
  }

  /** Whether any detector's findings can act (the global mode, or a detector set to approve or enforce). */
  public boolean anyEnforced() {
    return !dryRun() || detectorModes.values().stream().anyMatch(m -> !OBSERVE.equals(m));
  }

  /** Whether any detector's actions wait for approval (the Slack actions must then be on). */
  public boolean anyApproval() {
    return APPROVE.equals(mode) || detectorModes.containsValue(APPROVE);
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
