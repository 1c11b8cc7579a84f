package io.chainwatch.watcher.view;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A ReplicaSet's Deployment is its name without the pod-template hash, exactly as the regex it replaces said. */
class TemplateHashTest {
  @Test
  void stripsWhatTheRegexStrippedAndNothingElse() {
    for (String name : new String[] {"web-7d9c6b5f4", "api-5f6d7c8b9", "a-b-c-12345", "x-abcdefghij", "x-abcd",
        "x-abcdefghijk", "web", "web-", "-12345", "web-7D9C6B5F4", "web-7d9c_b5f4", "my-app-v2-6b7c8d9f5"}) {
      assertThat(ClusterState.withoutTemplateHash(name)).as(name)
          .isEqualTo(name.replaceFirst("-[a-z0-9]{5,10}$", ""));
    }
  }
}
