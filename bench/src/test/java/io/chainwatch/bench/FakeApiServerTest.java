package io.chainwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FakeApiServerTest {
  @Test
  void servesPagedListsAndWatchEventsToARealInformer() throws Exception {
    Workload workload = new Workload();
    try (FakeApiServer server = ApiPaths.cluster(workload, 2, 1200, 0).start();
        KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
            .withMasterUrl(server.url()).build()).build()) {
      SharedIndexInformer<Pod> informer = client.pods().inAnyNamespace().withLimit(500L).inform();
      assertThat(informer.getStore().list()).hasSize(1202);
      await().atMost(Duration.ofSeconds(10)).until(() -> server.watchers(ApiPaths.PODS) == 1);

      for (int i = 1200; i < 1300; i++) {
        server.publish(ApiPaths.PODS, "ADDED", workload.pod(i, 100 + i));
      }

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(informer.getStore().list()).hasSize(1302));
      informer.stop();
    }
  }
}
