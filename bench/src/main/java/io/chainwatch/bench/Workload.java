package io.chainwatch.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A synthetic cluster of realistic objects: pods of about 8 KB as the API server sends them (managed fields, probes,
 * env, two containers and an init container), CiliumEndpoints of about 1 KB, 110 pods per node and one Ready
 * cilium-agent per node. Object {@code i} is rendered on demand from a template, so a 150k-pod cluster costs no memory
 * until something decodes it.
 */
final class Workload {
  static final String STARTED = "2026-11-23T03:00:00Z";
  static final int PODS_PER_NODE = 110;
  static final int NAMESPACES = 200;

  private final Template pod = Template.load("/workload/pod.json");
  private final Template endpoint = Template.load("/workload/ciliumendpoint.json");

  static String namespace(int i) {
    return "ns-" + (i % NAMESPACES);
  }

  static String podName(int i) {
    return "web-7d9c6b5f4-" + Integer.toString(i, 36) + "x";
  }

  static String node(int i) {
    return "node-" + (i / PODS_PER_NODE);
  }

  static int nodeCount(int pods) {
    return pods / PODS_PER_NODE + 1;
  }

  static String uid(int i) {
    return String.format("00000000-0000-4000-8000-%012d", i);
  }

  String pod(int i, long resourceVersion) {
    return pod.render("@NAME@", podName(i), "@NS@", namespace(i), "@UID@", uid(i), "@NODE@", node(i),
        "@RV@", Long.toString(resourceVersion), "@STARTED@", STARTED);
  }

  /** Pod {@code i}, started at {@code started}, owned by a ReplicaSet of its own (so owners do not pace each other). */
  String podWithOwnOwner(int i, long resourceVersion, String started) {
    return pod.render("@NAME@", podName(i), "@NS@", namespace(i), "@UID@", uid(i), "@NODE@", node(i),
        "@RV@", Long.toString(resourceVersion), "@STARTED@", started)
        .replace("\"name\":\"web-7d9c6b5f4\",\"uid\":\"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\"",
            "\"name\":\"rs-" + i + "\",\"uid\":\"rs-uid-" + i + "\"");
  }

  String endpoint(int i, long resourceVersion) {
    return endpoint.render("@NAME@", podName(i), "@NS@", namespace(i), "@UID@", uid(i), "@NODE@", node(i),
        "@RV@", Long.toString(resourceVersion), "@CEPUID@", "c" + uid(i).substring(1));
  }

  static String node(int index, long resourceVersion) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"node-" + index + "\",\"uid\":\"n-" + index
        + "\",\"resourceVersion\":\"" + resourceVersion + "\",\"creationTimestamp\":\"2026-11-22T00:00:00Z\","
        + "\"labels\":{\"kubernetes.io/hostname\":\"node-" + index + "\"}},\"spec\":{\"podCIDR\":\"10.1.0.0/24\"},"
        + "\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":"
        + "\"2026-11-22T00:00:10Z\"}]}}";
  }

  static String agent(int nodeIndex, long resourceVersion) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"cilium-" + nodeIndex + "\",\"namespace\":"
        + "\"kube-system\",\"uid\":\"a-" + nodeIndex + "\",\"resourceVersion\":\"" + resourceVersion + "\","
        + "\"labels\":{\"k8s-app\":\"cilium\"},\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":"
        + "\"DaemonSet\",\"name\":\"cilium\",\"uid\":\"ds\",\"controller\":true}]},\"spec\":{\"nodeName\":\"node-"
        + nodeIndex + "\",\"hostNetwork\":true,\"containers\":[{\"name\":\"cilium-agent\",\"image\":\"cilium\"}]},"
        + "\"status\":{\"phase\":\"Running\",\"startTime\":\"2026-11-22T00:00:20Z\",\"conditions\":[{\"type\":"
        + "\"Ready\",\"status\":\"True\",\"lastTransitionTime\":\"2026-11-22T00:01:00Z\"}]}}";
  }

  static String namespaceObject(int i, long resourceVersion) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"ns-" + i + "\",\"resourceVersion\":\""
        + resourceVersion + "\"}}";
  }

  /** A JSON template with {@code @NAME@}-style placeholders, split once so rendering is plain appends. */
  static final class Template {
    private final List<String> parts = new ArrayList<>();
    private final int length;

    private static final java.util.regex.Pattern PLACEHOLDER = java.util.regex.Pattern.compile("@[A-Z]+@");

    private Template(String text) {
      var matcher = PLACEHOLDER.matcher(text);
      int from = 0;
      while (matcher.find()) {
        parts.add(text.substring(from, matcher.start()));
        parts.add(matcher.group());
        from = matcher.end();
      }
      parts.add(text.substring(from));
      length = text.length();
    }

    static Template load(String resource) {
      try (InputStream in = Workload.class.getResourceAsStream(resource)) {
        return new Template(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String render(String... keyValues) {
      StringBuilder out = new StringBuilder(length + 64);
      for (int p = 0; p < parts.size(); p++) {
        String part = parts.get(p);
        if (p % 2 == 1) {
          String value = null;
          for (int k = 0; k < keyValues.length; k += 2) {
            if (keyValues[k].equals(part)) {
              value = keyValues[k + 1];
            }
          }
          if (value == null) {
            throw new IllegalStateException("no value for " + part);
          }
          out.append(value);
        } else {
          out.append(part);
        }
      }
      return out.toString();
    }
  }
}
