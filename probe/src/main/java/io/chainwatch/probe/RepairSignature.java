package io.chainwatch.probe;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies that a repair request comes from chainwatch: an HMAC-SHA256 with a key only chainwatch and the probe
 * mount (a Secret), over the request's node, id, times and values (the contract's canonical text, which the watcher's
 * signer builds the same way; a test in deploy/ holds both to it). A request copied to another node, or one whose
 * values or times were changed, does not verify.
 */
public final class RepairSignature {
  public static final String PREFIX = "hmac-sha256:";
  static final int MIN_KEY_BYTES = 32;

  private final byte[] key;

  public RepairSignature(byte[] key) {
    if (key.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException("the repair key must have at least " + MIN_KEY_BYTES + " bytes, got "
          + key.length);
    }
    this.key = key.clone();
  }

  public static RepairSignature fromFile(Path file) throws IOException {
    return new RepairSignature(Files.readString(file, StandardCharsets.UTF_8).trim()
        .getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The text that is signed: one line each, values sorted by interface. Times are the request's own strings.
   */
  public static String canonical(String node, String id, String requestedAt, String expiresAt,
      Map<String, Integer> values) {
    StringBuilder text = new StringBuilder("chainwatch.io/rp-filter-repair v1\n")
        .append("node=").append(node).append('\n')
        .append("id=").append(id).append('\n')
        .append("requestedAt=").append(requestedAt).append('\n')
        .append("expiresAt=").append(expiresAt).append('\n')
        .append("rpFilter=");
    boolean first = true;
    for (Map.Entry<String, Integer> value : new TreeMap<>(values).entrySet()) {
      text.append(first ? "" : ",").append(value.getKey()).append('=').append(value.getValue());
      first = false;
    }
    return text.append('\n').toString();
  }

  public String sign(String canonical) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return PREFIX + Base64.getEncoder().encodeToString(mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** Whether {@code request} on {@code node} carries this key's signature (compared in constant time). */
  public boolean verifies(String node, JsonNode request) {
    Map<String, Integer> values = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = request.path("rpFilter").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> value = it.next();
      if (!value.getValue().isInt()) {
        return false;
      }
      values.put(value.getKey(), value.getValue().asInt());
    }
    String expected = sign(canonical(node, request.path("id").asText(""), request.path("requestedAt").asText(""),
        request.path("expiresAt").asText(""), values));
    String given = request.path("signature").asText("");
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }
}
