package io.chainwatch.config;

import java.util.Map;
import java.util.Objects;

/**
 * An equality label selector with one term, such as {@code k8s-app=cilium}.
 *
 * @param key label key
 * @param value label value
 */
public record LabelSelector(String key, String value) {
  public LabelSelector {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }

  public boolean matches(Map<String, String> labels) {
    return value.equals(labels.get(key));
  }

  @Override
  public String toString() {
    return key + "=" + value;
  }
}
