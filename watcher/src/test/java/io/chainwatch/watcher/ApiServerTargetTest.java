package io.chainwatch.watcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiServerTargetTest {
  @TempDir Path home;

  @Test
  void outsideAClusterWithoutAKubeconfigRunRefusesToStartAndSaysWhatItLookedFor() {
    assertThat(ApiServerTarget.missing(Map.of(), new Properties(), home)).hasValueSatisfying(message -> assertThat(
        message).contains("no Kubernetes API server to watch", "KUBERNETES_SERVICE_HOST is not set",
            home.resolve(".kube/config").toString(), "chainwatch scan"));
  }

  @Test
  void aKubeconfigThatDoesNotExistIsNamed() {
    assertThat(ApiServerTarget.missing(Map.of("KUBECONFIG", "/nowhere/config"), new Properties(), home))
        .hasValueSatisfying(message -> assertThat(message).contains("KUBECONFIG is /nowhere/config but no such file"));
  }

  @Test
  void inAClusterWithAKubeconfigOrAnExplicitMasterRunStarts() throws Exception {
    assertThat(ApiServerTarget.missing(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"), new Properties(), home))
        .isEmpty();
    assertThat(ApiServerTarget.missing(Map.of("KUBERNETES_MASTER", "https://10.0.0.1:6443"), new Properties(), home))
        .isEmpty();
    Path file = Files.writeString(home.resolve("kc"), "apiVersion: v1");
    assertThat(ApiServerTarget.missing(Map.of("KUBECONFIG", "/nowhere:" + file), new Properties(), home)).isEmpty();
    Files.createDirectories(home.resolve(".kube"));
    Files.writeString(home.resolve(".kube/config"), "apiVersion: v1");
    assertThat(ApiServerTarget.missing(Map.of(), new Properties(), home)).isEmpty();
  }
}
