package io.chainwatch.notifier.kafka;

import io.chainwatch.model.ApprovalChange;
import io.chainwatch.model.BreakerChange;
import io.chainwatch.model.BusMessage;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.Decision;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FleetDimension;
import io.chainwatch.model.FindingCleared;
import io.chainwatch.model.Incident;
import io.chainwatch.model.IncidentChange;
import io.chainwatch.model.PersonAction;
import io.chainwatch.model.RemediationDecision;
import io.chainwatch.model.RemediationOutcome;
import io.chainwatch.model.ResourceRef;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Renders bus records as CloudEvents 1.0 in structured mode (the whole event is the Kafka value, content type
 * {@code application/cloudevents+json}). The body ({@code data}) is versioned ({@code schemaVersion: 1}) and described
 * by {@code docs/schema/chainwatch-record-v1.schema.json}. Pure apart from the id supplier: the id is drawn once and
 * travels with the record through the spool, so a re-sent record keeps it and consumers can deduplicate.
 */
public final class CloudEventMapper {
  public static final String CONTENT_TYPE = "application/cloudevents+json";
  public static final int SCHEMA_VERSION = 1;
  /** The envelope's schema: the whole record (CloudEvents attributes and data), for tools that check records. */
  public static final String RECORD_SCHEMA = "https://chainwatch.io/schema/chainwatch-record-v1.schema.json";
  /** Where each type's data schema lives; {@code dataschema} names the one of the record's type. */
  public static final String DATA_SCHEMA_BASE = "https://chainwatch.io/schema/data/";

  /**
   * The schema of a record's {@code data} (CloudEvents {@code dataschema}: "identifies the schema that data adheres
   * to"), one per type, published as {@code docs/schema/data/<type>.schema.json}.
   */
  public static String dataSchema(String type) {
    return DATA_SCHEMA_BASE + type + ".schema.json";
  }

  private final String cluster;
  private final io.chainwatch.notifier.incident.DetectorTexts texts;
  private final FleetFacts.Source nodeFacts;
  private final Supplier<String> ids;

  public CloudEventMapper(String cluster) {
    this(cluster, io.chainwatch.notifier.incident.DetectorTexts.own(), FleetFacts.NONE);
  }

  /**
   * @param texts each detector's declared fleet dimension (the third part of a record's cause fingerprint)
   * @param nodeFacts what each node is, for the fleet facts every record carries
   */
  public CloudEventMapper(String cluster, io.chainwatch.notifier.incident.DetectorTexts texts,
      FleetFacts.Source nodeFacts) {
    this(cluster, () -> UUID.randomUUID().toString(), texts, nodeFacts);
  }

  CloudEventMapper(String cluster, Supplier<String> ids) {
    this(cluster, ids, io.chainwatch.notifier.incident.DetectorTexts.own(), FleetFacts.NONE);
  }

  CloudEventMapper(String cluster, Supplier<String> ids, io.chainwatch.notifier.incident.DetectorTexts texts,
      FleetFacts.Source nodeFacts) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.ids = Objects.requireNonNull(ids, "ids");
    this.texts = Objects.requireNonNull(texts, "texts");
    this.nodeFacts = Objects.requireNonNull(nodeFacts, "nodeFacts");
  }

  /** The record's fleet facts as Kafka headers: each {@code chainwatch<fact>} attribute as {@code chainwatch-<fact>}. */
  public static Map<String, String> headers(JsonObject event) {
    Map<String, String> headers = new java.util.LinkedHashMap<>();
    FleetFacts.HEADERS.forEach((attribute, header) -> {
      Object value = event.getValue(attribute);
      if (value instanceof String text) {
        headers.put(header, text);
      }
    });
    return headers;
  }

  private JsonObject withFacts(JsonObject event, Finding finding) {
    return FleetFacts.put(event, cluster, finding.detectorId(), finding.reason(), finding.node(),
        texts.fleetDimension(finding.detectorId()), nodeFacts);
  }

  /**
   * The event for {@code record}, or empty for records that are not audited (cluster changes).
   *
   * @param incidentId the incident the record belongs to (also the Kafka key)
   */
  public Optional<JsonObject> audit(BusMessage record, String incidentId) {
    if (record instanceof Finding finding) {
      return Optional.of(withFacts(event("io.chainwatch.finding.v1", finding.resource(), finding.observedAt(),
          incidentId, finding(finding)), finding));
    } else if (record instanceof FindingCleared cleared) {
      return Optional.of(withFacts(event("io.chainwatch.finding.cleared.v1", cleared.finding().resource(),
          cleared.clearedAt(), incidentId, finding(cleared.finding()).put("clearedAt", cleared.clearedAt().toString())),
          cleared.finding()));
    } else if (record instanceof RemediationDecision decided) {
      Decision decision = decided.decision();
      JsonObject data = new JsonObject()
          .put("finding", finding(decided.finding()))
          .put("verdict", decision.verdict())
          .put("rule", decision.rule().wireName())
          .put("why", decision.why())
          .put("until", decision instanceof Decision.Wait wait ? wait.until().toString() : null)
          .put("dryRun", decided.dryRun());
      return Optional.of(withFacts(event("io.chainwatch.remediation.decision.v1", decided.finding().resource(),
          decided.decidedAt(), incidentId, data), decided.finding()));
    } else if (record instanceof RemediationOutcome outcome) {
      JsonObject data = new JsonObject()
          .put("finding", finding(outcome.finding()))
          .put("result", outcome.result().wireName())
          .put("detail", outcome.detail())
          .put("needsPerson", outcome.needsPerson())
          .put("evidence", json(outcome.evidence()));
      return Optional.of(withFacts(event("io.chainwatch.remediation.outcome.v1", outcome.finding().resource(),
          outcome.at(), incidentId, data), outcome.finding()));
    } else if (record instanceof BreakerChange breaker) {
      JsonObject data = new JsonObject()
          .put("open", breaker.open())
          .put("reason", breaker.reason())
          .put("closesAt", breaker.closesAt() == null ? null : breaker.closesAt().toString())
          .put("evidence", json(breaker.evidence()));
      return Optional.of(FleetFacts.put(event("io.chainwatch.remediation.breaker.v1", new ResourceRef("Remediation",
          null, "breaker"), breaker.at(), incidentId, data), cluster, null, null, null, FleetDimension.CILIUM_VERSION,
          nodeFacts));
    } else if (record instanceof IncidentChange change) {
      return Optional.of(incident("io.chainwatch.incident.v1", change));
    } else if (record instanceof PersonAction action) {
      JsonObject data = new JsonObject()
          .put("action", action.kind().wireName())
          .put("incident", action.incidentId())
          .put("approval", action.approvalId())
          .put("silenceHours", action.kind() == PersonAction.Kind.SILENCE ? action.silenceHours() : null)
          .put("user", new JsonObject().put("id", action.user()).put("name", action.userName()))
          .put("allowed", action.allowed())
          .put("click", action.clickId());
      return Optional.of(FleetFacts.put(event("io.chainwatch.action.v1", new ResourceRef("Incident", null,
          action.incidentId()), action.at(), incidentId, data), cluster, null, null, null,
          FleetDimension.CILIUM_VERSION, nodeFacts));
    } else if (record instanceof ApprovalChange approval) {
      JsonObject data = new JsonObject()
          .put("finding", finding(approval.finding()))
          .put("approval", approval.approvalId())
          .put("state", approval.state().wireName())
          .put("action", approval.action())
          .put("by", approval.by())
          .put("detail", approval.detail())
          .put("expiresAt", approval.expiresAt().toString());
      return Optional.of(withFacts(event("io.chainwatch.remediation.approval.v1", approval.finding().resource(),
          approval.at(), incidentId, data), approval.finding()));
    } else if (record instanceof ClusterChange) {
      return Optional.empty();
    }
    throw new IllegalArgumentException("no CloudEvent type for " + record.getClass().getName());
  }

  /** The page for the pages topic: what should reach a person. */
  public JsonObject page(IncidentChange change) {
    return incident("io.chainwatch.page.v1", change);
  }

  private JsonObject incident(String type, IncidentChange change) {
    Incident incident = change.incident();
    JsonObject data = new JsonObject()
        .put("change", change.kind().wireName())
        .put("text", change.text())
        .put("pages", change.pages())
        .put("mention", change.mention())
        .put("digest", new JsonArray(change.digest()))
        .put("incident", new JsonObject()
            .put("id", incident.id())
            .put("rootKey", incident.rootKey())
            .put("detector", incident.detectorId())
            .put("cluster", incident.cluster())
            .put("severity", incident.severity().wireName())
            .put("state", incident.state().wireName())
            .put("title", incident.title())
            .put("node", incident.node())
            .put("subjects", new JsonArray(incident.subjects()))
            .put("openFindings", incident.openFindings())
            .put("summary", incident.summary())
            .put("cause", new JsonArray(incident.cause()))
            .put("action", incident.action())
            .put("needsPerson", incident.needsPerson())
            .put("silenced", incident.silenced())
            .put("openedAt", incident.openedAt().toString())
            .put("updatedAt", incident.updatedAt().toString())
            .put("resolvedAt", incident.resolvedAt() == null ? null : incident.resolvedAt().toString()));
    // an incident has a detector and a node but no one reason: its fingerprint names the detector and the dimension
    return FleetFacts.put(event(type, new ResourceRef("Incident", null, incident.id()), change.at(), incident.id(),
        data), cluster, incident.detectorId(), null, incident.node(), texts.fleetDimension(incident.detectorId()),
        nodeFacts);
  }

  private JsonObject event(String type, ResourceRef subject, Instant time, String incidentId, JsonObject data) {
    return new JsonObject()
        .put("specversion", "1.0")
        .put("id", ids.get())
        .put("source", "/chainwatch/" + cluster)
        .put("type", type)
        .put("subject", subject.key())
        .put("time", time.toString())
        .put("datacontenttype", "application/json")
        .put("dataschema", dataSchema(type))
        .put("chainwatchincident", incidentId)
        .put("data", data.put("schemaVersion", SCHEMA_VERSION));
  }

  private static JsonObject finding(Finding finding) {
    return new JsonObject()
        .put("detector", finding.detectorId())
        .put("severity", finding.severity().wireName())
        .put("action", finding.action().wireName())
        .put("reason", finding.reason())
        .put("summary", finding.summary())
        .put("resource", new JsonObject().put("kind", finding.resource().kind())
            .put("namespace", finding.resource().namespace()).put("name", finding.resource().name()))
        .put("node", finding.node())
        .put("observedAt", finding.observedAt().toString())
        .put("dedupKey", finding.dedupKey())
        .put("evidence", json(finding.evidence()))
        .put("facts", facts(finding.facts()));
  }

  /** The facts chainwatch acts on, typed (added in schema version 1; the same values stay in the evidence). */
  private static JsonObject facts(io.chainwatch.model.FindingFacts facts) {
    return new JsonObject()
        .put("incidentGroup", facts.incidentGroup())
        .put("actionReason", facts.actionReason())
        .put("subjectUid", facts.subjectUid())
        .put("chainRace", facts.chainRace())
        .put("routingMode", facts.routingMode());
  }

  private static JsonObject json(Map<String, Object> evidence) {
    return new JsonObject(new java.util.LinkedHashMap<>(evidence));
  }
}
