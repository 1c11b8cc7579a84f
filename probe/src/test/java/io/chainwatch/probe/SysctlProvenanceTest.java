package io.chainwatch.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Over real sysctl.d files (systemd's default, Cilium's override; provenance in resources/sysctl/README.md). */
class SysctlProvenanceTest {
  @TempDir Path host;

  private void place(String fixture, String hostDir) throws Exception {
    Path dir = Files.createDirectories(host.resolve(hostDir.substring(1)));
    Files.copy(Path.of("src/test/resources/sysctl", fixture), dir.resolve(fixture));
  }

  private static List<String> lines(JsonNode sysctl) {
    List<String> lines = new ArrayList<>();
    sysctl.path("rpFilter").forEach(a -> lines.add(a.path("file").asText() + ":" + a.path("line").asInt() + " "
        + (a.path("exclude").asBoolean() ? "-" + a.path("key").asText()
            : a.path("key").asText() + " = " + a.path("value").asText())));
    return lines;
  }

  @Test
  void assignmentsComeInTheOrderSystemdSysctlAppliesThemWithCiliumsOverrideLast() throws Exception {
    place("50-default.conf", "/usr/lib/sysctl.d");
    place("99-zzz-override_cilium.conf", "/etc/sysctl.d");

    JsonNode sysctl = new SysctlProvenance(host).read();

    assertThat(lines(sysctl)).containsExactly(
        "/usr/lib/sysctl.d/50-default.conf:25 net.ipv4.conf.default.rp_filter = 2",
        "/usr/lib/sysctl.d/50-default.conf:26 net.ipv4.conf.*.rp_filter = 2",
        "/usr/lib/sysctl.d/50-default.conf:27 -net.ipv4.conf.all.rp_filter",
        "/etc/sysctl.d/99-zzz-override_cilium.conf:3 net.ipv4.conf.lxc*.rp_filter = 0",
        "/etc/sysctl.d/99-zzz-override_cilium.conf:4 net.ipv4.conf.cilium_*.rp_filter = 0",
        "/etc/sysctl.d/99-zzz-override_cilium.conf:7 net.ipv4.conf.all.rp_filter = 0");
    assertThat(sysctl.path("ciliumOverride").asBoolean()).isTrue();
    assertThat(sysctl.has("problems")).isFalse();
  }

  @Test
  void aFileInEtcMasksTheSameNameInUsrLibAndSysctlConfComesLast() throws Exception {
    place("50-default.conf", "/usr/lib/sysctl.d");
    Files.writeString(Files.createDirectories(host.resolve("etc/sysctl.d")).resolve("50-default.conf"),
        "net.ipv4.conf.all.rp_filter = 0\n");
    Files.writeString(host.resolve("etc/sysctl.conf"), "# the image's own\nnet.ipv4.conf.eth0.rp_filter = 1\n");

    JsonNode sysctl = new SysctlProvenance(host).read();

    assertThat(lines(sysctl)).containsExactly("/etc/sysctl.d/50-default.conf:1 net.ipv4.conf.all.rp_filter = 0",
        "/etc/sysctl.conf:2 net.ipv4.conf.eth0.rp_filter = 1");
    assertThat(sysctl.path("ciliumOverride").asBoolean()).as("sysctlfix off: no override file").isFalse();
  }

  @Test
  void theSlashFormAndIgnoreErrorsPrefixAreReadAsSystemdDoes() {
    assertThat(SysctlProvenance.rpFilterAssignment("net/ipv4/conf/eth0.100/rp_filter=1"))
        .containsEntry("key", "net.ipv4.conf.eth0/100.rp_filter").containsEntry("value", "1");
    assertThat(SysctlProvenance.rpFilterAssignment("-net.ipv4.conf.all.rp_filter")).as("excluded from globs")
        .containsEntry("key", "net.ipv4.conf.all.rp_filter").containsEntry("exclude", "true");
    assertThat(SysctlProvenance.rpFilterAssignment("net.ipv4.conf.all.rp_filter")).as("no value, no dash").isNull();
    assertThat(SysctlProvenance.rpFilterAssignment("# net.ipv4.conf.all.rp_filter = 1")).isNull();
    assertThat(SysctlProvenance.rpFilterAssignment("net.ipv4.ip_forward = 1")).isNull();
  }

  @Test
  void aSymlinkOutOfTheMountedTreeIsNamedAndNotFollowedAndAMissingTreeIsNoError() throws Exception {
    Path etc = Files.createDirectories(host.resolve("etc/sysctl.d"));
    Files.createSymbolicLink(etc.resolve("99-sysctl.conf"), Path.of("../../../../../../outside.conf"));

    JsonNode sysctl = new SysctlProvenance(host).read();

    assertThat(sysctl.path("problems").toString()).contains("/etc/sysctl.d/99-sysctl.conf",
        "not followed");
    assertThat(new SysctlProvenance(host.resolve("nothing-mounted")).read().path("rpFilter").size()).isZero();
  }

  @Test
  void theRelativeSymlinkDistributionsShipToSysctlConfIsFollowedUnderTheMountRoot() throws Exception {
    Path etc = Files.createDirectories(host.resolve("etc/sysctl.d"));
    Files.writeString(host.resolve("etc/sysctl.conf"), "net.ipv4.conf.eth0.rp_filter = 1\n");
    Files.createSymbolicLink(etc.resolve("99-sysctl.conf"), Path.of("../sysctl.conf"));

    assertThat(lines(new SysctlProvenance(host).read())).containsExactly(
        "/etc/sysctl.d/99-sysctl.conf:1 net.ipv4.conf.eth0.rp_filter = 1",
        "/etc/sysctl.conf:1 net.ipv4.conf.eth0.rp_filter = 1");
  }
}
