package io.chainwatch.notifier.alert;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * One call to a pager's API, kept in the outbox: everything but the secret, which is added when it is sent.
 *
 * @param incident the incident it is about (logs)
 * @param method {@code POST}, {@code PUT}
 * @param path appended to the API's base URL ({@code /v2/alerts/inc-1/close?identifierType=alias})
 * @param body the JSON body
 * @param secretFile the file holding the key this call is sent with (a routing rule's), {@code null} for the
 *     outbox's default; the path is kept, never the key
 */
public record AlertCall(String incident, String method, String path, JsonObject body, String secretFile) {
  public AlertCall {
    Objects.requireNonNull(incident, "incident");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(body, "body");
  }

  public AlertCall(String incident, String method, String path, JsonObject body) {
    this(incident, method, path, body, null);
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject().put("incident", incident).put("method", method).put("path", path)
        .put("body", body);
    if (secretFile != null) {
      json.put("secretFile", secretFile);
    }
    return json;
  }

  static AlertCall fromJson(JsonObject json) {
    return new AlertCall(json.getString("incident"), json.getString("method"), json.getString("path"),
        json.getJsonObject("body"), json.getString("secretFile"));
  }
}
