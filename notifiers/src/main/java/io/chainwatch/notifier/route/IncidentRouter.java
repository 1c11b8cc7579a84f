package io.chainwatch.notifier.route;

import io.chainwatch.config.RoutingRule;
import io.chainwatch.model.Incident;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Chooses an incident's destinations (pure over the incident and the cluster facts): the first rule whose every
 * criterion holds, else the defaults. Namespace criteria hold only when every namespaced object of the incident is in
 * a matching namespace: a node-level cause that touches several teams' pods goes on to the next rule (node pool,
 * detector) or the defaults, not to whichever team's pod came first.
 */
public final class IncidentRouter {
  private final List<RoutingRule> rules;
  private final Route defaults;

  /** @param defaults where incidents no rule takes go (the channels' own settings) */
  public IncidentRouter(List<RoutingRule> rules, Route defaults) {
    this.rules = List.copyOf(rules);
    this.defaults = Objects.requireNonNull(defaults, "defaults");
  }

  public Route routeFor(Incident incident, RoutingFacts facts) {
    for (RoutingRule rule : rules) {
      if (matches(rule.match(), incident, facts)) {
        return new Route(rule.name(), rule.slackChannel(), rule.pagerdutyRoutingKeyFile(),
            !rule.opsgenieResponders().isEmpty(), rule.opsgenieResponders());
      }
    }
    return defaults;
  }

  static boolean matches(RoutingRule.Match match, Incident incident, RoutingFacts facts) {
    if (!match.detectors().isEmpty() && !match.detectors().contains(incident.detectorId())) {
      return false;
    }
    if (!match.severities().isEmpty() && !match.severities().contains(incident.severity())) {
      return false;
    }
    if (!match.nodePools().isEmpty()) {
      Optional<String> pool = incident.node() == null ? Optional.empty() : facts.nodePool(incident.node());
      if (pool.isEmpty() || !match.nodePools().contains(pool.get())) {
        return false;
      }
    }
    if (match.byNamespace()) {
      Set<String> namespaces = namespacesOf(incident);
      if (namespaces.isEmpty()) {
        return false;
      }
      for (String namespace : namespaces) {
        if (!match.namespaces().isEmpty() && !match.namespaces().contains(namespace)) {
          return false;
        }
        if (!labelsMatch(match.namespaceLabels(), facts.namespaceLabels(namespace))) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean labelsMatch(Map<String, String> wanted, Map<String, String> labels) {
    for (Map.Entry<String, String> label : wanted.entrySet()) {
      String value = labels.get(label.getKey());
      if (value == null || (!label.getValue().equals("*") && !label.getValue().equals(value))) {
        return false;
      }
    }
    return true;
  }

  /** The namespaces of the incident's objects ({@code Kind/namespace/name}); cluster-scoped ones have none. */
  static Set<String> namespacesOf(Incident incident) {
    Set<String> namespaces = new LinkedHashSet<>();
    for (String subject : incident.subjects()) {
      String[] parts = subject.split("/", -1);
      if (parts.length == 3 && !parts[1].isEmpty()) {
        namespaces.add(parts[1]);
      }
    }
    return namespaces;
  }
}
