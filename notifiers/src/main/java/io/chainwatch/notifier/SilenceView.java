package io.chainwatch.notifier;

import java.util.Optional;

/** The silence annotations ({@code chainwatch.io/silence-until}) as the cluster view shows them, raw. */
public interface SilenceView {
  Optional<String> nodeSilenceUntil(String node);

  Optional<String> namespaceSilenceUntil(String namespace);

  /** No annotations: only configured silences apply. */
  static SilenceView none() {
    return new SilenceView() {
      @Override
      public Optional<String> nodeSilenceUntil(String node) {
        return Optional.empty();
      }

      @Override
      public Optional<String> namespaceSilenceUntil(String namespace) {
        return Optional.empty();
      }
    };
  }
}
