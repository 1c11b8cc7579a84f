package io.chainwatch.probe;

import java.util.Map;

/** The host facts the probe reports. Production reads /proc and the cilium-health socket; tests use fakes. */
public interface HostFacts {
  /** The uplink interface: configured, or the one of the default route; {@code null} when none is found. */
  String uplink();

  /**
   * rp_filter of {@code all}, {@code default}, the uplink, {@code cilium_host}, {@code cilium_net},
   * {@code lxc_health} and every {@code lxc*} interface that exists, by interface.
   *
   * @param problems receives one line per value that could not be read (interface: why)
   */
  Map<String, Integer> rpFilter(String uplink, Map<String, String> problems);

  HealthReading health();

  /** The CNI configuration the runtime uses ({@link CniChainReader}); {@code null} when the probe does not read it. */
  default com.fasterxml.jackson.databind.node.ObjectNode cni(java.time.Instant now) {
    return null;
  }

  /** Where rp_filter settings come from ({@link SysctlProvenance}); {@code null} when the probe does not read it. */
  default com.fasterxml.jackson.databind.node.ObjectNode sysctl() {
    return null;
  }

  /**
   * The endpoints cilium-agent manages on this node ({@link AgentEndpointsClient}); {@code null} when the probe does
   * not ask the agent.
   */
  default com.fasterxml.jackson.databind.node.ObjectNode endpoints(java.time.Instant now) {
    return null;
  }

  /**
   * Writes rp_filter values (the opt-in repair). Only interfaces the probe reports may be written, and only files
   * that exist: nothing is created.
   *
   * @return one line per value that could not be written (interface: why); empty when all were written
   */
  Map<String, String> writeRpFilter(String uplink, Map<String, Integer> values);
}
