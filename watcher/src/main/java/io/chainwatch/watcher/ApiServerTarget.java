package io.chainwatch.watcher;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Whether {@code run} has an API server to watch, decided the way fabric8 will look for one (an explicit master, a
 * kubeconfig, the in-cluster service account). Without any of them fabric8 falls back to
 * {@code https://kubernetes.default.svc} and retries forever: outside a cluster that is a silent hang, so
 * {@code run} refuses to start instead and says what it looked for.
 */
final class ApiServerTarget {
  private ApiServerTarget() {}

  /** Empty when fabric8 will find a target; otherwise the message that says what is missing. */
  static Optional<String> missing(Map<String, String> env, Properties system, Path home) {
    if (set(system.getProperty("kubernetes.master")) || set(env.get("KUBERNETES_MASTER"))) {
      return Optional.empty();
    }
    if (set(env.get("KUBERNETES_SERVICE_HOST"))) {
      return Optional.empty(); // in a pod: fabric8 reads the service account
    }
    String kubeconfig = firstSet(system.getProperty("kubeconfig"), env.get("KUBECONFIG"));
    if (kubeconfig != null) {
      for (String file : kubeconfig.split(File.pathSeparator)) {
        if (!file.isBlank() && Files.isRegularFile(Path.of(file))) {
          return Optional.empty();
        }
      }
      return Optional.of("chainwatch run: KUBECONFIG is " + kubeconfig + " but no such file exists; point it at a "
          + "kubeconfig, or run chainwatch inside the cluster");
    }
    Path fallback = home.resolve(".kube").resolve("config");
    if (Files.isRegularFile(fallback)) {
      return Optional.empty();
    }
    return Optional.of("chainwatch run: no Kubernetes API server to watch: not in a cluster (KUBERNETES_SERVICE_HOST "
        + "is not set), KUBECONFIG is not set and " + fallback + " does not exist. Run it in the cluster (the Helm "
        + "chart), or set KUBECONFIG; `chainwatch scan` reads kubectl dumps without a cluster.");
  }

  private static String firstSet(String... values) {
    for (String value : values) {
      if (set(value)) {
        return value;
      }
    }
    return null;
  }

  private static boolean set(String value) {
    return value != null && !value.isBlank();
  }
}
