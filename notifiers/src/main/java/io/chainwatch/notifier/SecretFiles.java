package io.chainwatch.notifier;

import io.chainwatch.config.ConfigException;
import io.chainwatch.config.ConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a secret from the file a setting names. Problems are configuration errors (exit 2, the setting named), and a
 * setting whose value is not a path (the secret pasted into a {@code *File} variable by mistake) is never echoed.
 */
public final class SecretFiles {
  private static final long MAX_BYTES = 64 * 1024;

  private SecretFiles() {}

  public static String read(String file, String setting) {
    String shown = ConfigLoader.looksLikePath(file) ? file : "<a value that is not a file path; is the secret itself "
        + "there by mistake?>";
    try {
      Path path = Path.of(file);
      if (Files.size(path) > MAX_BYTES) {
        throw new ConfigException(List.of(setting + " names " + shown + ", which is larger than " + MAX_BYTES
            + " bytes: not a secret"));
      }
      String secret = Files.readString(path, StandardCharsets.UTF_8).strip();
      if (secret.isEmpty()) {
        throw new ConfigException(List.of(setting + " names " + shown + ", which is empty"));
      }
      return secret;
    } catch (IOException | java.nio.file.InvalidPathException e) {
      throw new ConfigException(List.of(setting + " names " + shown + ", which cannot be read ("
          + e.getClass().getSimpleName() + ")"));
    }
  }
}
