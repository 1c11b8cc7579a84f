package io.chainwatch.notifier;

import io.chainwatch.model.Incident;
import io.chainwatch.model.Severity;
import io.chainwatch.notifier.incident.IncidentTracker;
import io.chainwatch.notifier.incident.IncidentTracker.SavedIncident;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Open incidents in a local file ({@code incidents.json}), so a restart continues them. Blocking: use a worker. */
final class IncidentStore {
  private final Path file;

  IncidentStore(Path file) {
    this.file = file;
  }

  List<SavedIncident> load() throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    List<SavedIncident> saved = new ArrayList<>();
    try {
      for (Object item : new JsonArray(Files.readString(file))) {
        JsonObject o = (JsonObject) item;
        saved.add(new SavedIncident(o.getString("id"), o.getString("rootKey"), o.getString("detectorId"),
            Severity.valueOf(o.getString("severity").toUpperCase(Locale.ROOT)),
            Incident.State.valueOf(o.getString("state").toUpperCase(Locale.ROOT)), o.getString("node"),
            strings(o.getJsonArray("subjects")), o.getString("summary"), strings(o.getJsonArray("cause")),
            o.getString("action"), o.getString("needsPerson"), o.getBoolean("silenced", false),
            o.getBoolean("digested", false), time(o, "openedAt"), time(o, "updatedAt"), time(o, "resolvedAt"),
            time(o, "lastNotifiedAt"), person(o.getJsonObject("person"))));
      }
    } catch (DecodeException | ClassCastException | IllegalArgumentException | NullPointerException e) {
      throw new IOException("incidents file " + file + " is damaged (" + e.getMessage() + ")", e);
    }
    return saved;
  }

  void save(List<SavedIncident> incidents) throws IOException {
    JsonArray array = new JsonArray();
    for (SavedIncident s : incidents) {
      array.add(new JsonObject().put("id", s.id()).put("rootKey", s.rootKey()).put("detectorId", s.detectorId())
          .put("severity", s.severity().wireName()).put("state", s.state().wireName()).put("node", s.node())
          .put("subjects", new JsonArray(s.subjects())).put("summary", s.summary())
          .put("cause", new JsonArray(s.cause())).put("action", s.action()).put("needsPerson", s.needsPerson())
          .put("silenced", s.silenced()).put("digested", s.digested()).put("openedAt", text(s.openedAt()))
          .put("updatedAt", text(s.updatedAt())).put("resolvedAt", text(s.resolvedAt()))
          .put("lastNotifiedAt", text(s.lastNotifiedAt())).put("person", new JsonObject()
              .put("acknowledgedBy", s.person().acknowledgedBy()).put("silencedBy", s.person().silencedBy())
              .put("silencedUntil", text(s.person().silencedUntil()))
              .put("silencedSeverity", s.person().silencedSeverity() == null ? null
                  : s.person().silencedSeverity().wireName())
              .put("silencedEscalated", s.person().silencedEscalated())));
    }
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, array.encode());
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static IncidentTracker.PersonState person(JsonObject o) {
    if (o == null) {
      return null; // written by an older version
    }
    String severity = o.getString("silencedSeverity");
    return new IncidentTracker.PersonState(o.getString("acknowledgedBy"), o.getString("silencedBy"),
        time(o, "silencedUntil"), severity == null ? null : Severity.valueOf(severity.toUpperCase(Locale.ROOT)),
        o.getBoolean("silencedEscalated", false));
  }

  private static List<String> strings(JsonArray array) {
    List<String> values = new ArrayList<>();
    if (array != null) {
      array.forEach(value -> values.add(String.valueOf(value)));
    }
    return values;
  }

  private static Instant time(JsonObject o, String field) {
    String value = o.getString(field);
    return value == null ? null : Instant.parse(value);
  }

  private static String text(Instant at) {
    return at == null ? null : at.toString();
  }
}
