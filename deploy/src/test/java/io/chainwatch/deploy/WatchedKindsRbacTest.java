package io.chainwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.watcher.view.WatchedKind;
import io.chainwatch.watcher.view.WatchedKinds;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The chart grants chainwatch list and watch on exactly the kinds {@link WatchedKinds#ALL} declares: a kind added
 * without its rule, or a rule left behind for a kind nobody watches any more, fails here.
 */
class WatchedKindsRbacTest {
  private static Set<String> declared() {
    Set<String> kinds = new TreeSet<>();
    for (WatchedKind<?> watched : WatchedKinds.ALL) {
      kinds.add(watched.group() + "/" + watched.plural());
    }
    return kinds;
  }

  /** {@code group/resource} of every rule that lets chainwatch's own account (not the probe's) list and watch. */
  @SuppressWarnings("unchecked")
  private static Set<String> listedAndWatched(List<Map<String, Object>> objects) {
    Set<String> granted = new TreeSet<>();
    for (Map<String, Object> role : objects) {
      if (!Set.of("ClusterRole", "Role").contains(role.get("kind"))
          || Chart.<String>at(role, "metadata", "name").endsWith("-probe")) {
        continue;
      }
      for (Map<String, Object> rule : (List<Map<String, Object>>) role.get("rules")) {
        List<String> verbs = (List<String>) rule.get("verbs");
        if (!verbs.contains("list") && !verbs.contains("watch")) {
          continue;
        }
        assertThat(verbs).as("an informer needs both: " + rule).contains("list", "watch");
        for (String group : (List<String>) rule.get("apiGroups")) {
          for (String resource : (List<String>) rule.get("resources")) {
            granted.add(group + "/" + resource);
          }
        }
      }
    }
    return granted;
  }

  @Test
  void theChartGrantsListAndWatchOnExactlyTheDeclaredKindsWhereverCiliumLives() {
    assertThat(listedAndWatched(Chart.render(Map.of()))).as("Cilium found in any namespace")
        .containsExactlyElementsOf(declared());
    assertThat(listedAndWatched(Chart.render(Map.of("ciliumNamespace", "kube-system"))))
        .as("Cilium's namespace pinned").containsExactlyElementsOf(declared());
  }

  @Test
  void everyDeclaredKindHasOneTableInTheViewAndAProjectionForItsOwnObjects() {
    for (WatchedKind<?> watched : WatchedKinds.ALL) {
      assertThat(WatchedKinds.of(watched.apiVersion(), watched.kind())).as(watched.kind()).contains(watched);
      var state = io.chainwatch.watcher.view.ClusterState.detached(
          io.chainwatch.watcher.view.AgentIdentity.from(io.chainwatch.config.ChainwatchConfig.defaults()));
      assertThat(state.size(watched)).isZero();
    }
  }
}
