package io.chainwatch.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a fake /proc tree. */
class ProcHostFactsTest {
  @TempDir Path proc;

  private void rpFilter(String iface, String value) throws Exception {
    Path dir = proc.resolve("sys/net/ipv4/conf").resolve(iface);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("rp_filter"), value + "\n");
  }

  private void route(String defaultIface) throws Exception {
    Files.createDirectories(proc.resolve("net"));
    Files.writeString(proc.resolve("net/route"), "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n"
        + "eth1\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\n"
        + defaultIface + "\t00000000\t0100000A\t0003\t0\t0\t0\t00000000\n");
  }

  private ProcHostFacts facts(String uplink) {
    return new ProcHostFacts(proc, uplink, new CiliumHealthClient(proc.resolve("none.sock"), Duration.ofSeconds(1)));
  }

  @Test
  void readsEveryInterfaceItReportsAndNoOther() throws Exception {
    rpFilter("all", "0");
    rpFilter("default", "1");
    rpFilter("eth0", "1");
    rpFilter("cilium_host", "0");
    rpFilter("cilium_net", "0");
    rpFilter("lxc_health", "0");
    rpFilter("lxc1a2b3c4d", "0");
    rpFilter("lxc9f8e7d6c", "2");
    rpFilter("docker0", "1");
    route("eth0");
    Map<String, String> problems = new TreeMap<>();

    ProcHostFacts facts = facts("");
    Map<String, Integer> values = facts.rpFilter(facts.uplink(), problems);

    assertThat(facts.uplink()).isEqualTo("eth0");
    assertThat(values).containsExactlyInAnyOrderEntriesOf(Map.of("all", 0, "default", 1, "eth0", 1, "cilium_host", 0,
        "cilium_net", 0, "lxc_health", 0, "lxc1a2b3c4d", 0, "lxc9f8e7d6c", 2));
    assertThat(problems).isEmpty();
  }

  @Test
  void aConfiguredUplinkWinsOverTheDefaultRoute() throws Exception {
    route("eth0");
    rpFilter("bond0", "1");

    assertThat(facts("bond0").uplink()).isEqualTo("bond0");
    assertThat(facts("bond0").rpFilter("bond0", new TreeMap<>())).containsEntry("bond0", 1);
  }

  @Test
  void missingAndGarbageValuesAreNamedNotFatal() throws Exception {
    rpFilter("default", "1");
    rpFilter("eth0", "strict");
    rpFilter("lxcabc", "7");
    Map<String, String> problems = new TreeMap<>();

    Map<String, Integer> values = facts("").rpFilter("eth0", problems);

    assertThat(values).containsOnly(Map.entry("default", 1));
    assertThat(problems).containsOnlyKeys("all", "eth0", "lxcabc");
    assertThat(problems.get("all")).contains("does not exist");
    assertThat(problems.get("eth0")).contains("not a number");
    assertThat(problems.get("lxcabc")).contains("must be 0, 1 or 2, got 7");
    assertThat(facts("").uplink()).as("no /proc/net/route").isNull();
  }
}
