package io.chainwatch.probe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the host's rp_filter settings come from: the {@code rp_filter} assignments of the sysctl.d files, in the
 * order systemd-sysctl applies them (every {@code *.conf} of {@code /etc/sysctl.d}, {@code /run/sysctl.d},
 * {@code /usr/local/lib/sysctl.d} and {@code /usr/lib/sysctl.d}, a name in an earlier directory masking the same name
 * in a later one, all sorted by name; then {@code /etc/sysctl.conf}), so the last assignment whose key matches an
 * interface is the one that sets it, and whether Cilium's {@code 99-zzz-override_cilium.conf} is there. The host's
 * directories are mounted under one root (their host paths kept below it); a symbolic link is followed only when it
 * stays under that root. Bounded: files, bytes per file and assignments reported.
 */
public final class SysctlProvenance {
  /** systemd-sysctl's directories, highest precedence first. */
  static final List<String> DIRECTORIES = List.of("/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d",
      "/usr/lib/sysctl.d");
  static final String SYSCTL_CONF = "/etc/sysctl.conf";
  static final String CILIUM_OVERRIDE = "99-zzz-override_cilium.conf";
  private static final int MAX_FILES = 256;
  private static final int MAX_FILE_BYTES = 256 * 1024;
  private static final int MAX_ASSIGNMENTS = 32;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path root;

  /** @param root where the host's {@code /} is mounted (only the sysctl directories need to be there) */
  public SysctlProvenance(Path root) {
    this.root = root;
  }

  /** The {@code sysctl} element of the node report. */
  public ObjectNode read() {
    ObjectNode sysctl = JSON.createObjectNode();
    Map<String, Path> byName = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    int files = 0;
    for (String directory : DIRECTORIES) {
      Path dir = under(directory);
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.conf")) {
        for (Path entry : entries) {
          if (++files > MAX_FILES) {
            problems.add("more than " + MAX_FILES + " sysctl.d files; the rest not read");
            break;
          }
          byName.putIfAbsent(entry.getFileName().toString(), entry); // an earlier directory masks a later one
        }
      } catch (NoSuchFileException e) {
        // not every distribution has every directory
      } catch (IOException | SecurityException e) {
        problems.add(directory + " cannot be read: " + e.getMessage());
      }
    }
    List<Path> order = new ArrayList<>(byName.values());
    Path conf = under(SYSCTL_CONF);
    if (Files.exists(conf, LinkOption.NOFOLLOW_LINKS)) {
      order.add(conf);
    }
    ArrayNode assignments = JSON.createArrayNode();
    int total = 0;
    for (Path file : order) {
      List<String> lines;
      try {
        lines = readLines(file);
      } catch (IOException | SecurityException e) {
        problems.add(hostPath(file) + ": " + e.getMessage());
        continue;
      }
      if (lines == null) {
        problems.add(hostPath(file) + ": larger than " + MAX_FILE_BYTES + " bytes, not read");
        continue;
      }
      for (int i = 0; i < lines.size(); i++) {
        Map<String, String> assignment = rpFilterAssignment(lines.get(i));
        if (assignment == null) {
          continue;
        }
        total++;
        ObjectNode entry = JSON.createObjectNode().put("file", hostPath(file)).put("line", i + 1)
            .put("key", assignment.get("key"));
        if (assignment.containsKey("exclude")) {
          entry.put("exclude", true);
        } else {
          entry.put("value", assignment.get("value"));
        }
        assignments.add(entry);
        if (assignments.size() > MAX_ASSIGNMENTS) {
          assignments.remove(0); // the last ones decide: keep those
        }
      }
    }
    sysctl.set("rpFilter", assignments);
    if (total > assignments.size()) {
      sysctl.put("rpFilterCut", total - assignments.size());
    }
    sysctl.put("ciliumOverride", byName.containsKey(CILIUM_OVERRIDE));
    if (!problems.isEmpty()) {
      ArrayNode list = sysctl.putArray("problems");
      problems.stream().limit(5).map(p -> p.length() > 200 ? p.substring(0, 200) + "..." : p).forEach(list::add);
    }
    return sysctl;
  }

  /**
   * An rp_filter assignment of a sysctl.d line, its key with dots ({@code net.ipv4.conf.*.rp_filter}) and its value;
   * {@code null} for comments, other keys and lines without a value. A leading {@code -} only means "ignore errors".
   */
  static Map<String, String> rpFilterAssignment(String line) {
    String text = line.strip();
    if (text.isEmpty() || text.startsWith("#") || text.startsWith(";")) {
      return null;
    }
    boolean ignoreErrors = text.startsWith("-");
    if (ignoreErrors) {
      text = text.substring(1).strip();
    }
    int equals = text.indexOf('=');
    if (equals < 0 && !ignoreErrors) {
      return null;
    }
    // "-net.ipv4.conf.all.rp_filter" alone excludes that key from the globs (systemd-sysctl): reported as such
    String key = (equals < 0 ? text : text.substring(0, equals)).strip();
    if (key.contains("/")) {
      key = key.replace('.', '\u0000').replace('/', '.').replace('\u0000', '/'); // slash form: dots are in names
    }
    if (!key.startsWith("net.ipv4.conf.") || !key.endsWith(".rp_filter")) {
      return null;
    }
    Map<String, String> assignment = new LinkedHashMap<>();
    assignment.put("key", key.length() > 128 ? key.substring(0, 128) : key);
    if (equals < 0) {
      assignment.put("exclude", "true");
      return assignment;
    }
    String value = text.substring(equals + 1).strip();
    assignment.put("value", value.length() > 16 ? value.substring(0, 16) : value);
    return assignment;
  }

  private List<String> readLines(Path file) throws IOException {
    Path target = file;
    if (Files.isSymbolicLink(file)) {
      Path link = Files.readSymbolicLink(file);
      // an absolute target is a host path: the same path under the mount root; a relative one must stay under it
      Path resolved = link.isAbsolute() ? under(link.toString()) : file.getParent().resolve(link).normalize();
      if (!resolved.startsWith(root)) {
        throw new IOException("a symbolic link out of the host's mounted directories (not followed)");
      }
      target = resolved;
    }
    try (InputStream input = Files.newInputStream(target)) {
      byte[] bytes = input.readNBytes(MAX_FILE_BYTES + 1);
      if (bytes.length > MAX_FILE_BYTES) {
        return null;
      }
      return new String(bytes, StandardCharsets.UTF_8).lines().toList();
    }
  }

  private Path under(String hostPath) {
    return root.resolve(hostPath.startsWith("/") ? hostPath.substring(1) : hostPath).normalize();
  }

  private String hostPath(Path file) {
    return "/" + root.relativize(file).toString().replace('\\', '/');
  }
}
