package io.chainwatch.remediation.action;

import io.chainwatch.remediation.policy.RemediationHistory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps the remediation history in a ConfigMap ({@code data["state.json"]}), so a restarted or newly elected
 * chainwatch knows the evictions in flight, cooldowns, attempts and the breaker. Writes are conditional on the
 * resourceVersion last seen: a concurrent writer causes a {@link Conflict}, never a lost update. Blocking: call it
 * off the event loop.
 */
public final class RemediationStateStore {
  public static final String DATA_KEY = "state.json";
  /** A person sets this annotation (any value) on the ConfigMap to close an open breaker. */
  public static final String RESET_BREAKER_ANNOTATION = io.chainwatch.remediation.workflow.Breaker.RESET_ANNOTATION;

  private final KubernetesClient client;
  private final String namespace;
  private final String name;

  public RemediationStateStore(KubernetesClient client, String namespace, String name) {
    this.client = Objects.requireNonNull(client, "client");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.name = Objects.requireNonNull(name, "name");
  }

  /**
   * The state as stored.
   *
   * @param history the history ({@code empty} when the ConfigMap does not exist yet)
   * @param resourceVersion the version read, {@code null} when the ConfigMap does not exist
   * @param resetRequested a person asked to close the breaker
   */
  public record Stored(RemediationHistory history, String resourceVersion, boolean resetRequested) {}

  /** A write lost a race with another writer: re-read, merge, write again. */
  public static final class Conflict extends Exception {
    public Conflict(String message) {
      super(message);
    }
  }

  /**
   * Reads the state.
   *
   * @throws IllegalStateException naming the ConfigMap and what is wrong with it (unreadable, unparseable)
   */
  public Stored load() {
    ConfigMap map;
    try {
      map = client.configMaps().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      throw new IllegalStateException("cannot read ConfigMap " + where() + ": HTTP " + e.getCode() + " "
          + e.getMessage(), e);
    }
    if (map == null) {
      return new Stored(new RemediationHistory(), null, false);
    }
    String text = map.getData() == null ? null : map.getData().get(DATA_KEY);
    boolean reset = map.getMetadata().getAnnotations() != null
        && map.getMetadata().getAnnotations().containsKey(RESET_BREAKER_ANNOTATION);
    if (text == null || text.isBlank()) {
      return new Stored(new RemediationHistory(), map.getMetadata().getResourceVersion(), reset);
    }
    try {
      return new Stored(RemediationStateCodec.decode(text), map.getMetadata().getResourceVersion(), reset);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("ConfigMap " + where() + " key " + DATA_KEY + ": " + e.getMessage()
          + " (fix or delete the key; chainwatch will not guess)", e);
    }
  }

  /**
   * Writes {@code stateJson}, conditional on {@code resourceVersion} ({@code null}: create).
   *
   * @return the new resourceVersion
   * @throws Conflict when someone else wrote since {@code resourceVersion}
   * @throws IllegalStateException for any other failure, naming the ConfigMap and the HTTP status
   */
  public String save(String stateJson, String resourceVersion) throws Conflict {
    ConfigMap map = new ConfigMapBuilder().withNewMetadata().withNamespace(namespace).withName(name)
        .withResourceVersion(resourceVersion)
        .withLabels(Map.of("app.kubernetes.io/managed-by", "chainwatch"))
        .endMetadata().withData(Map.of(DATA_KEY, stateJson)).build();
    try {
      ConfigMap written = resourceVersion == null
          ? client.configMaps().inNamespace(namespace).resource(map).create()
          : client.configMaps().inNamespace(namespace).resource(map).update();
      return written.getMetadata().getResourceVersion();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw new Conflict("ConfigMap " + where() + " changed since version " + resourceVersion);
      }
      throw new IllegalStateException("cannot write ConfigMap " + where() + ": HTTP " + e.getCode() + " "
          + e.getMessage(), e);
    }
  }

  /** The namespace of the state ConfigMap. */
  public String namespace() {
    return namespace;
  }

  /** The name of the state ConfigMap. */
  public String name() {
    return name;
  }

  public String where() {
    return namespace + "/" + name;
  }
}
