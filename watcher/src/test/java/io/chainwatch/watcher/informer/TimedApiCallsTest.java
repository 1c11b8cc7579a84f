package io.chainwatch.watcher.informer;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class TimedApiCallsTest {
  private static String call(String method, String uri) {
    return TimedApiCalls.callOf(method, URI.create("https://10.96.0.1:443" + uri));
  }

  @Test
  void aRequestIsNamedByVerbAndResourceNeverByNameOrNamespace() {
    assertThat(call("GET", "/api/v1/pods?limit=500")).isEqualTo("list pods");
    assertThat(call("GET", "/api/v1/pods?resourceVersion=12&watch=true&allowWatchBookmarks=true"))
        .isEqualTo("watch pods");
    assertThat(call("GET", "/api/v1/namespaces/shop/pods/web-1")).isEqualTo("get pods");
    assertThat(call("POST", "/api/v1/namespaces/shop/pods/web-1/eviction")).isEqualTo("create pods/eviction");
    assertThat(call("GET", "/apis/cilium.io/v2/ciliumendpoints?limit=500")).isEqualTo("list ciliumendpoints");
    assertThat(call("GET", "/apis/cilium.io/v2/namespaces/shop/ciliumendpoints/web-1"))
        .isEqualTo("get ciliumendpoints");
    assertThat(call("PATCH", "/api/v1/nodes/10.0.0.11/status")).isEqualTo("patch nodes/status");
    assertThat(call("PUT", "/apis/coordination.k8s.io/v1/namespaces/chainwatch/leases/chainwatch-leader"))
        .isEqualTo("update leases");
    assertThat(call("GET", "/api/v1/namespaces?limit=500")).isEqualTo("list namespaces");
    assertThat(call("GET", "/api/v1/namespaces/shop")).isEqualTo("get namespaces");
    assertThat(call("GET", "/version")).isEqualTo("get version");
  }
}
