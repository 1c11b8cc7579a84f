package io.chainwatch.remediation.action;

import io.chainwatch.remediation.policy.RepairRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs repair requests for one node with the key only chainwatch and the probes mount: an HMAC-SHA256 over the
 * contract's canonical text (node, id, times, values). The probe verifies it with its own copy of the same text
 * (probe/RepairSignature; a test in deploy/ holds both sides to one contract), so a Node patcher who is not chainwatch
 * cannot make a probe write.
 */
public final class RepairSigner {
  public static final String PREFIX = "hmac-sha256:";
  public static final int MIN_KEY_BYTES = 32;

  private final byte[] key;

  public RepairSigner(byte[] key) {
    if (key.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException("the repair key must have at least " + MIN_KEY_BYTES + " bytes, got "
          + key.length);
    }
    this.key = key.clone();
  }

  /** The signed text: one line each, values sorted by interface, times as the request writes them. */
  static String canonical(String node, String id, String requestedAt, String expiresAt, Map<String, Integer> values) {
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

  public String sign(String node, RepairRequest request) {
    String text = canonical(node, request.id(), request.requestedAt().toString(), request.expiresAt().toString(),
        request.values());
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return PREFIX + Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
