package io.chainwatch.watcher.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BuildInfoTest {
  @Test
  void theBuiltJarKnowsItsVersionCommitAndTimes() {
    BuildInfo info = BuildInfo.current();

    assertThat(info.version()).isNotEqualTo("unknown").doesNotContain("${");
    // CI builds a git clone: the commit is an abbreviated id (with -dirty on a modified tree)
    assertThat(info.commit()).matches("[0-9a-f]{12}(-dirty)?");
    assertThat(info.buildTime()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    assertThat(info.line("chainwatch")).startsWith("chainwatch " + info.version() + " (commit " + info.commit());
  }

  @Test
  void valuesMavenCouldNotFillReadUnknown() {
    BuildInfo info = BuildInfo.read(BuildInfoTest.class, "/io/chainwatch/watcher/logging/unfilled-build.properties");

    assertThat(info).isEqualTo(new BuildInfo("0.1.0", "unknown", "unknown", "unknown"));
    assertThat(BuildInfo.read(BuildInfoTest.class, "/no/such/resource"))
        .isEqualTo(new BuildInfo("unknown", "unknown", "unknown", "unknown"));
  }
}
