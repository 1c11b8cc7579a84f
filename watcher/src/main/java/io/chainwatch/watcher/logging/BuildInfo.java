package io.chainwatch.watcher.logging;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What was built: version, commit, commit and build times, read from the {@code build.properties} Maven filled in.
 * A value Maven could not fill (a build without git) reads {@code unknown}.
 *
 * @param version the project version
 * @param commit abbreviated commit id, with {@code -dirty} when built from a modified tree
 * @param commitTime the commit's time (UTC, RFC 3339)
 * @param buildTime when the jar was built (UTC, RFC 3339)
 */
public record BuildInfo(String version, String commit, String commitTime, String buildTime) {
  private static final BuildInfo CURRENT = read(BuildInfo.class, "/io/chainwatch/watcher/build.properties");

  public static BuildInfo current() {
    return CURRENT;
  }

  /** One line for {@code --version}. */
  public String line(String program) {
    return program + " " + version + " (commit " + commit + ", committed " + commitTime + ", built " + buildTime
        + ", Java " + Runtime.version() + ")";
  }

  static BuildInfo read(Class<?> anchor, String resource) {
    Properties properties = new Properties();
    try (InputStream in = anchor.getResourceAsStream(resource)) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // a jar that cannot read its own resource still runs; it says unknown
    }
    String commit = filled(properties, "commit");
    if (!commit.equals("unknown") && filled(properties, "dirty").equals("true")) {
      commit += "-dirty";
    }
    return new BuildInfo(filled(properties, "version"), commit, filled(properties, "commitTime"),
        filled(properties, "buildTime"));
  }

  private static String filled(Properties properties, String key) {
    String value = properties.getProperty(key, "").trim();
    return value.isEmpty() || value.contains("${") ? "unknown" : value;
  }
}
