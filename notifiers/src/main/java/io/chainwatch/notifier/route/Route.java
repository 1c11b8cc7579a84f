package io.chainwatch.notifier.route;

import java.util.List;
import java.util.Objects;

/**
 * Where one incident goes. Each destination is absent ({@code null}, {@code false}) when the incident is not sent
 * there.
 *
 * @param rule the routing rule that chose it, {@code default} when none matched
 * @param slackChannel the Slack channel
 * @param pagerdutyRoutingKeyFile the file holding the PagerDuty routing key
 * @param opsgenie whether an Opsgenie alert is created
 * @param opsgenieResponders its responders as {@code type:name}; empty leaves routing to the integration
 */
public record Route(String rule, String slackChannel, String pagerdutyRoutingKeyFile, boolean opsgenie,
    List<String> opsgenieResponders) {
  public static final String DEFAULT = "default";

  public Route {
    Objects.requireNonNull(rule, "rule");
    opsgenieResponders = List.copyOf(opsgenieResponders);
  }

  /** Sent nowhere but the audit log. */
  public static Route nowhere(String rule) {
    return new Route(rule, null, null, false, List.of());
  }
}
