package io.chainwatch.probe;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads the CNI configuration the kubelet's runtime uses on this host: like libcni's {@code ConfFiles} and the
 * container runtimes, the lexically first {@code .conflist}, {@code .conf} or {@code .json} file of the directory that
 * holds a network. Reports which file, its plugin types in order, whether Cilium ({@code cilium-cni}) is among them,
 * the file's modification time, and since when this probe has seen that file with that content. Bounded: at most
 * {@link #MAX_FILES} names are considered and {@link #MAX_FILE_BYTES} read per file; files it cannot use are named.
 * Keeps the last file and content seen, so one instance serves every round.
 */
public final class CniChainReader {
  static final int MAX_FILES = 64;
  /** Directory entries listed at most (names only): a directory beyond it is not read. */
  static final int MAX_ENTRIES = 4096;
  static final int MAX_FILE_BYTES = 64 * 1024;
  private static final int MAX_PLUGINS = 16;
  private static final int MAX_PROBLEMS = 5;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private String seenKey;
  private Instant seenSince;

  public CniChainReader(Path dir) {
    this.dir = dir;
  }

  /** The {@code cni} element of the node report. */
  public ObjectNode read(Instant now) {
    ObjectNode cni = JSON.createObjectNode();
    cni.put("dir", dir.toString());
    List<Path> candidates = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      int seen = 0;
      for (Path entry : entries) {
        if (++seen > MAX_ENTRIES) {
          return cni.put("error", "CNI configuration directory " + dir + " holds more than " + MAX_ENTRIES
              + " entries; not read");
        }
        String name = entry.getFileName().toString();
        if (name.endsWith(".conflist") || name.endsWith(".conf") || name.endsWith(".json")) {
          candidates.add(entry);
        }
      }
    } catch (NoSuchFileException e) {
      return cni.put("error", "no CNI configuration directory " + dir + " (is the host's directory mounted?)");
    } catch (IOException | SecurityException e) {
      return cni.put("error", "CNI configuration directory " + dir + " cannot be read: " + e);
    }
    // the runtime takes the lexically first usable file: sort every name, then read at most MAX_FILES of them
    candidates.sort(null);
    ArrayNode problems = JSON.createArrayNode();
    if (candidates.size() > MAX_FILES) {
      problems.add((candidates.size() - MAX_FILES) + " more configuration files than the " + MAX_FILES
          + " considered");
      candidates = new ArrayList<>(candidates.subList(0, MAX_FILES));
    }
    for (Path file : candidates) {
      String name = file.getFileName().toString();
      String problem = null;
      try {
        if (Files.isSymbolicLink(file)) {
          // its target is a path on the host, not in this container: not followed, and not guessed at
          problem = "a symbolic link (not followed)";
        } else if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
          problem = "not a regular file";
        } else {
          byte[] bytes = readBounded(file);
          if (bytes == null) {
            problem = "larger than " + MAX_FILE_BYTES + " bytes";
          } else {
            JsonNode config = JSON.readTree(bytes);
            List<String> plugins = pluginTypes(name, config);
            if (plugins.isEmpty()) {
              problem = "holds no network (no plugins, no type)";
            } else {
              describe(cni, file, name, plugins, config, bytes, now);
              if (!problems.isEmpty()) {
                cni.set("problems", problems);
              }
              return cni;
            }
          }
        }
      } catch (JacksonException e) {
        problem = "not JSON: " + e.getOriginalMessage();
      } catch (IOException | SecurityException e) {
        problem = "cannot be read: " + e.getMessage();
      }
      if (problems.size() < MAX_PROBLEMS) {
        problems.add(abbreviate(name + ": " + problem, 200));
      }
    }
    cni.put("error", candidates.isEmpty() ? "no CNI configuration in " + dir : "no usable CNI configuration in " + dir);
    if (!problems.isEmpty()) {
      cni.set("problems", problems);
    }
    seenKey = null;
    return cni;
  }

  private void describe(ObjectNode cni, Path file, String name, List<String> plugins, JsonNode config, byte[] bytes,
      Instant now)
      throws IOException {
    cni.put("file", name);
    ArrayNode types = cni.putArray("plugins");
    plugins.stream().limit(MAX_PLUGINS).forEach(types::add);
    Boolean cilium = ciliumInChain(plugins, config);
    if (cilium == null) {
      cni.putNull("cilium"); // a meta plugin delegating to configuration this file does not hold: not known here
    } else {
      cni.put("cilium", cilium);
    }
    cni.put("modifiedAt", Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toInstant().toString());
    String key = name + ":" + sha256(bytes);
    if (!key.equals(seenKey)) {
      seenKey = key;
      seenSince = now;
    }
    cni.put("seenSince", seenSince.toString());
  }

  /** Meta plugins that run other networks' plugins: Cilium may be in what they delegate to. */
  private static final java.util.Set<String> DELEGATING = java.util.Set.of("multus", "multus-shim", "genie");

  /**
   * Whether {@code cilium-cni} runs for a pod with this configuration: in its plugins, or in the inline
   * {@code delegates} of a meta plugin such as multus; {@code null} when a meta plugin delegates to configuration
   * kept elsewhere (a file or a network name), which this file alone does not tell.
   */
  static Boolean ciliumInChain(List<String> plugins, JsonNode config) {
    if (plugins.contains("cilium-cni")) {
      return true;
    }
    if (plugins.stream().noneMatch(DELEGATING::contains)) {
      return false;
    }
    List<JsonNode> metas = new ArrayList<>();
    JsonNode list = config.get("plugins");
    if (list != null && list.isArray()) {
      list.forEach(plugin -> {
        if (DELEGATING.contains(plugin.path("type").asText(""))) {
          metas.add(plugin);
        }
      });
    } else {
      metas.add(config);
    }
    for (JsonNode meta : metas) {
      JsonNode delegates = meta.get("delegates");
      if (delegates == null || !delegates.isArray() || delegates.isEmpty()) {
        return null;
      }
      for (JsonNode delegate : delegates) {
        if (pluginTypes(delegate.has("plugins") ? "delegate.conflist" : "delegate.conf", delegate)
            .contains("cilium-cni")) {
          return true;
        }
      }
    }
    return false;
  }

  /** Plugin types in chain order: a conflist's {@code plugins}, or a single network's {@code type}. */
  static List<String> pluginTypes(String name, JsonNode config) {
    List<String> types = new ArrayList<>();
    if (config == null || !config.isObject()) {
      return types;
    }
    JsonNode plugins = config.get("plugins");
    if (plugins != null && plugins.isArray()) {
      for (JsonNode plugin : plugins) {
        String type = plugin.path("type").asText("");
        if (!type.isEmpty()) {
          types.add(abbreviate(type, 64));
        }
      }
      return types;
    }
    if (!name.endsWith(".conflist")) {
      String type = config.path("type").asText("");
      if (!type.isEmpty()) {
        types.add(abbreviate(type, 64));
      }
    }
    return types;
  }

  private static byte[] readBounded(Path file) throws IOException {
    try (InputStream input = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] bytes = input.readNBytes(MAX_FILE_BYTES + 1);
      return bytes.length > MAX_FILE_BYTES ? null : bytes;
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String abbreviate(String text, int max) {
    String clean = text.replaceAll("\\p{Cntrl}", " ");
    return clean.length() <= max ? clean : clean.substring(0, max) + "...";
  }
}
