package io.chainwatch.probe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads host facts from a {@code /proc} tree (the real one in production; the probe runs with hostNetwork, so
 * {@code /proc/sys/net} answers for the host's network namespace) and from cilium-health.
 */
public final class ProcHostFacts implements HostFacts {
  private static final List<String> ALWAYS = List.of("all", "default", "cilium_host", "cilium_net", "lxc_health");
  /** Linux interface names: at most 15 characters, no slash; "." and ".." are directories, not interfaces. */
  private static final java.util.regex.Pattern INTERFACE_NAME =
      java.util.regex.Pattern.compile("(?!\\.{1,2}$)[A-Za-z0-9_.@-]{1,15}");

  private final Path procRoot;
  private final String configuredUplink;
  private final CiliumHealthClient health;
  private final CniChainReader cni;
  private final SysctlProvenance sysctl;
  private final AgentEndpointsClient endpoints;

  /**
   * @param procRoot the root of /proc
   * @param configuredUplink the uplink to use, or empty to take the default route's interface
   */
  public ProcHostFacts(Path procRoot, String configuredUplink, CiliumHealthClient health) {
    this(procRoot, configuredUplink, health, null);
  }

  /** @param cni reads the host's CNI configuration, {@code null} to leave it out of the report */
  public ProcHostFacts(Path procRoot, String configuredUplink, CiliumHealthClient health, CniChainReader cni) {
    this(procRoot, configuredUplink, health, cni, null);
  }

  /** @param sysctl reads where rp_filter settings come from, {@code null} to leave it out of the report */
  public ProcHostFacts(Path procRoot, String configuredUplink, CiliumHealthClient health, CniChainReader cni,
      SysctlProvenance sysctl) {
    this(procRoot, configuredUplink, health, cni, sysctl, null);
  }

  /** @param endpoints asks cilium-agent for its endpoints, {@code null} to leave them out of the report */
  public ProcHostFacts(Path procRoot, String configuredUplink, CiliumHealthClient health, CniChainReader cni,
      SysctlProvenance sysctl, AgentEndpointsClient endpoints) {
    this.endpoints = endpoints;
    this.procRoot = procRoot;
    this.configuredUplink = configuredUplink;
    this.health = health;
    this.cni = cni;
    this.sysctl = sysctl;
  }

  @Override
  public com.fasterxml.jackson.databind.node.ObjectNode sysctl() {
    return sysctl == null ? null : sysctl.read();
  }

  @Override
  public com.fasterxml.jackson.databind.node.ObjectNode endpoints(java.time.Instant now) {
    return endpoints == null ? null : endpoints.read(now);
  }

  @Override
  public com.fasterxml.jackson.databind.node.ObjectNode cni(java.time.Instant now) {
    return cni == null ? null : cni.read(now);
  }

  @Override
  public String uplink() {
    if (!configuredUplink.isEmpty()) {
      return configuredUplink;
    }
    try {
      // columns: Iface Destination Gateway Flags ...; the default route has destination 00000000
      for (String line : Files.readAllLines(procRoot.resolve("net/route"), StandardCharsets.US_ASCII)) {
        String[] columns = line.trim().split("\\s+");
        if (columns.length > 2 && columns[1].equals("00000000") && !columns[0].equals("Iface")) {
          return columns[0];
        }
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }

  @Override
  public Map<String, Integer> rpFilter(String uplink, Map<String, String> problems) {
    Map<String, Integer> values = new TreeMap<>();
    Path conf = procRoot.resolve("sys/net/ipv4/conf");
    List<String> wanted = new java.util.ArrayList<>(ALWAYS);
    if (uplink != null) {
      wanted.add(uplink);
    }
    try (DirectoryStream<Path> interfaces = Files.newDirectoryStream(conf, "lxc*")) {
      interfaces.forEach(dir -> wanted.add(dir.getFileName().toString()));
    } catch (IOException e) {
      problems.put("conf", "cannot list " + conf + ": " + e.getMessage());
    }
    for (String name : wanted) {
      if (values.containsKey(name)) {
        continue;
      }
      Path file = conf.resolve(name).resolve("rp_filter");
      try {
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        int value = Integer.parseInt(text);
        if (value < 0 || value > 2) {
          problems.put(name, "rp_filter must be 0, 1 or 2, got " + value);
        } else {
          values.put(name, value);
        }
      } catch (NoSuchFileException e) {
        if (name.equals("all") || name.equals("default") || name.equals(uplink)) {
          problems.put(name, file + " does not exist");
        }
        // cilium_host, cilium_net and lxc_health exist only with Cilium (not in chaining without a health endpoint)
      } catch (NumberFormatException e) {
        problems.put(name, "rp_filter is not a number in " + file);
      } catch (IOException e) {
        problems.put(name, "cannot read " + file + ": " + e.getMessage());
      }
    }
    return values;
  }

  @Override
  public Map<String, String> writeRpFilter(String uplink, Map<String, Integer> values) {
    Map<String, String> errors = new TreeMap<>();
    Path conf = procRoot.resolve("sys/net/ipv4/conf");
    values.forEach((name, value) -> {
      boolean reported = ALWAYS.contains(name) || name.equals(uplink) || name.startsWith("lxc");
      if (!INTERFACE_NAME.matcher(name).matches() || !reported) {
        errors.put(name, "not an interface the probe reports (all, default, the uplink, cilium_*, lxc*)");
        return;
      }
      if (value == null || value < 0 || value > 2) {
        errors.put(name, "rp_filter must be 0, 1 or 2, got " + value);
        return;
      }
      Path file = conf.resolve(name).resolve("rp_filter");
      try {
        // WRITE without CREATE: an interface that is gone is an error, never a new file
        Files.writeString(file, value + "\n", StandardCharsets.US_ASCII, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
      } catch (NoSuchFileException e) {
        errors.put(name, file + " does not exist");
      } catch (IOException e) {
        errors.put(name, "cannot write " + file + ": " + e.getMessage()
            + " (the probe needs CAP_NET_ADMIN and a writable " + conf + ")");
      }
    });
    return errors;
  }

  @Override
  public HealthReading health() {
    return health.localNode();
  }
}
