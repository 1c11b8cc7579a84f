package io.chainwatch.watcher.view;

import io.chainwatch.model.BudgetSnapshot;
import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.DaemonSetSnapshot;
import io.chainwatch.model.PolicySnapshot;
import io.chainwatch.model.CiliumNodeSnapshot;
import io.chainwatch.model.EndpointSnapshot;
import io.chainwatch.model.NamespaceSnapshot;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.OwnerRef;
import io.chainwatch.model.PodNetworkRequest;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.Snapshot;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a Kubernetes object, decoded generically (spec and status as plain maps), into the slim snapshot detectors
 * read. Both {@code run} (informers) and {@code scan} (dump files) go through here, so they see the same view.
 *
 * <p>Generic decoding is deliberate: a field of an unexpected type cannot break the informer's decoding of the whole
 * list; it fails only this object's projection, with a message naming the field.
 */
public final class Projections {
  public static final String REMEDIATION_ANNOTATION = io.chainwatch.model.RemediationOptOut.ANNOTATION;
  public static final String SILENCE_ANNOTATION = "chainwatch.io/silence-until";
  private static final String ANNOTATION_PREFIX = "chainwatch.io/";
  /** TKE: which network a pod asks for when it should not use the cluster default (GlobalRouter + VPC-CNI). */
  public static final String NETWORKS_ANNOTATION = "tke.cloud.tencent.com/networks";

  private Projections() {}

  /** The snapshot type for a kind, or {@code null} when chainwatch does not read that kind. */
  public static Class<? extends Snapshot> snapshotTypeOf(String apiVersion, String kind) {
    return WatchedKinds.of(apiVersion, kind).<Class<? extends Snapshot>>map(WatchedKind::snapshotType).orElse(null);
  }

  /** Projects an object of any watched kind. */
  public static Snapshot project(GenericKubernetesResource object) {
    return WatchedKinds.of(object.getApiVersion(), object.getKind())
        .orElseThrow(() -> new ProjectionException("unsupported kind " + object.getApiVersion() + " "
            + object.getKind()))
        .projection().apply(object);
  }

  public static PodSnapshot pod(GenericKubernetesResource pod) {
    Fields f = new Fields(pod);
    ObjectMeta meta = f.meta;
    Map<String, Object> spec = f.map(pod.getAdditionalProperties(), "spec");
    Map<String, Object> status = f.map(pod.getAdditionalProperties(), "status");
    boolean ready = false;
    Instant readyChangedAt = null;
    for (Map<String, Object> condition : f.listOfMaps(status, "status.conditions", "conditions")) {
      if ("Ready".equals(f.string(condition, "status.conditions[].type", "type"))) {
        ready = "True".equals(f.string(condition, "status.conditions[Ready].status", "status"));
        readyChangedAt = f.time(condition, "status.conditions[Ready].lastTransitionTime", "lastTransitionTime");
      }
    }
    return new PodSnapshot(
        intern(f.requireNamespace()),
        meta.getName(),
        meta.getUid(),
        intern(f.string(spec, "spec.nodeName", "nodeName")),
        intern(f.string(status, "status.phase", "phase")),
        f.bool(spec, "spec.hostNetwork", "hostNetwork"),
        meta.getDeletionTimestamp() != null,
        f.parseTime("metadata.creationTimestamp", meta.getCreationTimestamp()),
        f.time(status, "status.startTime", "startTime"),
        ready,
        readyChangedAt,
        controller(meta.getOwnerReferences()),
        internAll(meta.getLabels()),
        io.chainwatch.model.RemediationOptOut.disables(annotation(meta, REMEDIATION_ANNOTATION)),
        networkRequest(f, meta, status),
        toleratedNoSchedule(f, spec),
        containerNames(f, spec, "spec.initContainers"),
        // a hostNetwork pod's IP is its node's: nothing Cilium manages, not worth the bytes
        f.bool(spec, "spec.hostNetwork", "hostNetwork") ? null : f.string(status, "status.podIP", "podIP"));
  }

  /** Keys of the NoSchedule taints the pod tolerates ({@code *}: all of them); NoExecute-only ones do not count. */
  private static List<String> toleratedNoSchedule(Fields f, Map<String, Object> spec) {
    List<String> keys = new ArrayList<>(0);
    for (Map<String, Object> toleration : f.listOfMaps(spec, "spec.tolerations", "tolerations")) {
      String effect = f.string(toleration, "spec.tolerations[].effect", "effect");
      if (effect != null && !effect.isEmpty() && !effect.equals("NoSchedule")) {
        continue;
      }
      String key = f.string(toleration, "spec.tolerations[].key", "key");
      String operator = f.string(toleration, "spec.tolerations[].operator", "operator");
      if (key == null || key.isEmpty()) {
        if ("Exists".equals(operator)) {
          keys.add(PodSnapshot.ANY_TAINT);
        }
      } else {
        keys.add(intern(key));
      }
    }
    return Canonical.of(List.copyOf(keys));
  }

  private static List<String> containerNames(Fields f, Map<String, Object> podSpec, String path) {
    List<String> names = new ArrayList<>(0);
    for (Map<String, Object> container : f.listOfMaps(podSpec, path, path.substring(path.lastIndexOf('.') + 1))) {
      String name = f.string(container, path + "[].name", "name");
      if (name != null) {
        names.add(intern(name));
      }
    }
    return Canonical.of(List.copyOf(names));
  }

  private static PodNetworkRequest networkRequest(Fields f, ObjectMeta meta, Map<String, Object> status) {
    String networks = annotation(meta, NETWORKS_ANNOTATION);
    return networks == null ? null
        : new PodNetworkRequest(intern(networks), f.string(status, "status.podIP", "podIP"));
  }

  public static NodeSnapshot node(GenericKubernetesResource node) {
    Fields f = new Fields(node);
    Map<String, Object> spec = f.map(node.getAdditionalProperties(), "spec");
    Map<String, Object> status = f.map(node.getAdditionalProperties(), "status");
    boolean ready = false;
    for (Map<String, Object> condition : f.listOfMaps(status, "status.conditions", "conditions")) {
      if ("Ready".equals(f.string(condition, "status.conditions[].type", "type"))) {
        ready = "True".equals(f.string(condition, "status.conditions[Ready].status", "status"));
      }
    }
    List<String> taints = new ArrayList<>();
    for (Map<String, Object> taint : f.listOfMaps(spec, "spec.taints", "taints")) {
      String key = f.string(taint, "spec.taints[].key", "key");
      String value = f.string(taint, "spec.taints[].value", "value");
      String effect = f.string(taint, "spec.taints[].effect", "effect");
      taints.add(intern(key + (value == null || value.isEmpty() ? "" : "=" + value) + ":" + effect));
    }
    Map<String, String> annotations = new HashMap<>();
    String reportText = null;
    if (f.meta.getAnnotations() != null) {
      for (Map.Entry<String, String> annotation : f.meta.getAnnotations().entrySet()) {
        if (annotation.getKey().equals(NodeReports.ANNOTATION)) {
          reportText = annotation.getValue();
        } else if (annotation.getKey().startsWith(ANNOTATION_PREFIX) && annotation.getValue() != null) {
          annotations.put(annotation.getKey(), annotation.getValue());
        }
      }
    }
    return new NodeSnapshot(
        f.meta.getName(),
        f.parseTime("metadata.creationTimestamp", f.meta.getCreationTimestamp()),
        ready,
        internAll(f.meta.getLabels()),
        taints,
        annotations,
        reportText == null ? null : NodeReports.parse(reportText),
        podCidrs(f, spec),
        intern(f.string(f.map(status, "nodeInfo"), "status.nodeInfo.osImage", "osImage")),
        intern(f.string(f.map(status, "nodeInfo"), "status.nodeInfo.kernelVersion", "kernelVersion")),
        intern(f.string(f.map(status, "nodeInfo"), "status.nodeInfo.kubeletVersion", "kubeletVersion")));
  }

  private static List<String> podCidrs(Fields f, Map<String, Object> spec) {
    List<String> cidrs = f.listOfStrings(spec, "spec.podCIDRs", "podCIDRs");
    if (!cidrs.isEmpty()) {
      return cidrs;
    }
    String single = f.string(spec, "spec.podCIDR", "podCIDR");
    return single == null || single.isEmpty() ? List.of() : List.of(single);
  }

  public static EndpointSnapshot endpoint(GenericKubernetesResource endpoint) {
    Fields f = new Fields(endpoint);
    Map<String, Object> status = f.map(endpoint.getAdditionalProperties(), "status");
    List<String> owners = new ArrayList<>(1);
    if (f.meta.getOwnerReferences() != null) {
      for (OwnerReference owner : f.meta.getOwnerReferences()) {
        if ("Pod".equals(owner.getKind()) && owner.getUid() != null) {
          owners.add(owner.getUid());
        }
      }
    }
    List<String> addresses = new ArrayList<>(2);
    for (Map<String, Object> pair : f.listOfMaps(f.map(status, "networking"), "status.networking.addressing",
        "addressing")) {
      for (String family : new String[] {"ipv4", "ipv6"}) {
        String address = f.string(pair, "status.networking.addressing[]." + family, family);
        if (address != null && !address.isEmpty()) {
          addresses.add(address);
        }
      }
    }
    Object identity = f.map(status, "identity").get("id");
    if (identity != null && !(identity instanceof Number)) {
      throw f.problem("status.identity.id", "a number", identity);
    }
    return new EndpointSnapshot(
        intern(f.requireNamespace()), f.meta.getName(), owners, intern(f.string(status, "status.state", "state")),
        addresses, identity == null ? 0 : ((Number) identity).longValue(),
        f.parseTime("metadata.creationTimestamp", f.meta.getCreationTimestamp()));
  }

  public static NamespaceSnapshot namespace(GenericKubernetesResource namespace) {
    ObjectMeta meta = new Fields(namespace).meta;
    return new NamespaceSnapshot(
        intern(meta.getName()), io.chainwatch.model.RemediationOptOut.disables(annotation(meta, REMEDIATION_ANNOTATION)),
        annotation(meta, SILENCE_ANNOTATION), internAll(meta.getLabels()));
  }

  public static CiliumNodeSnapshot ciliumNode(GenericKubernetesResource ciliumNode) {
    Fields f = new Fields(ciliumNode);
    Map<String, Object> specIpam = f.map(f.map(ciliumNode.getAdditionalProperties(), "spec"), "ipam");
    Map<String, Object> statusIpam = f.map(f.map(ciliumNode.getAdditionalProperties(), "status"), "ipam");
    List<String> podCidrs = f.listOfStrings(specIpam, "spec.ipam.podCIDRs", "podCIDRs");
    int pool = specIpam.containsKey("pool") ? f.map(specIpam, "pool").size() : -1;
    int used = statusIpam.containsKey("used") ? f.map(statusIpam, "used").size() : -1;
    Map<String, Object> pools = f.map(specIpam, "pools");
    List<String> allocated = new ArrayList<>();
    for (Map<String, Object> allocation : f.listOfMaps(pools, "spec.ipam.pools.allocated", "allocated")) {
      allocated.addAll(f.listOfStrings(allocation, "spec.ipam.pools.allocated[].cidrs", "cidrs"));
    }
    int needed = 0;
    for (Map<String, Object> request : f.listOfMaps(pools, "spec.ipam.pools.requested", "requested")) {
      Object value = f.map(request, "needed").get("ipv4-addrs");
      if (value != null && !(value instanceof Number)) {
        throw f.problem("spec.ipam.pools.requested[].needed.ipv4-addrs", "a number", value);
      }
      needed += value == null ? 0 : ((Number) value).intValue();
    }
    String operatorError = f.string(f.map(statusIpam, "operator-status"), "status.ipam.operator-status.error",
        "error");
    return new CiliumNodeSnapshot(f.meta.getName(),
        f.parseTime("metadata.creationTimestamp", f.meta.getCreationTimestamp()),
        new CiliumNodeSnapshot.Ipam(podCidrs, pool, used, allocated, needed,
            operatorError == null || operatorError.isBlank() ? null : operatorError));
  }

  /** A kubelet {@code FailedCreatePodSandBox} Event (only those are listed: a field selector on reason). */
  public static io.chainwatch.model.SandboxFailureSnapshot sandboxFailure(GenericKubernetesResource event) {
    Fields f = new Fields(event);
    Map<String, Object> props = event.getAdditionalProperties();
    Map<String, Object> involved = f.map(props, "involvedObject");
    boolean aboutPod = "Pod".equals(f.string(involved, "involvedObject.kind", "kind"));
    Map<String, Object> series = f.map(props, "series");
    Object count = series.containsKey("count") ? series.get("count") : props.get("count");
    if (count != null && !(count instanceof Number)) {
      throw f.problem("count", "a number", count);
    }
    Instant lastSeen = f.time(props, "lastTimestamp", "lastTimestamp");
    Instant seriesLast = f.time(series, "series.lastObservedTime", "lastObservedTime");
    if (seriesLast != null && (lastSeen == null || seriesLast.isAfter(lastSeen))) {
      lastSeen = seriesLast;
    }
    if (lastSeen == null) {
      lastSeen = f.time(props, "eventTime", "eventTime");
    }
    String reason = f.string(props, "reason", "reason");
    return new io.chainwatch.model.SandboxFailureSnapshot(f.requireNamespace(), f.meta.getName(),
        aboutPod && io.chainwatch.model.SandboxFailureSnapshot.REASON.equals(reason)
            ? f.string(involved, "involvedObject.name", "name") : null,
        f.string(involved, "involvedObject.uid", "uid"),
        intern(f.string(f.map(props, "source"), "source.host", "host")),
        f.string(props, "message", "message"), count == null ? 1 : Math.max(1, ((Number) count).intValue()), lastSeen);
  }

  public static CiliumConfigSnapshot ciliumConfig(GenericKubernetesResource configMap) {
    Fields f = new Fields(configMap);
    Map<String, Object> data = f.map(configMap.getAdditionalProperties(), "data");
    Map<String, String> values = new HashMap<>();
    data.forEach((key, value) -> {
      if (value != null && !(value instanceof String)) {
        throw f.problem("data." + key, "a string", value);
      }
      values.put(key, value == null ? "" : (String) value);
    });
    return new CiliumConfigSnapshot(f.requireNamespace(), f.meta.getName(), values);
  }

  private static final java.util.Set<String> SELECTOR_OPERATORS = java.util.Set.of("In", "NotIn", "Exists",
      "DoesNotExist");

  public static BudgetSnapshot budget(GenericKubernetesResource budget) {
    Fields f = new Fields(budget);
    Map<String, Object> spec = f.map(budget.getAdditionalProperties(), "spec");
    Map<String, Object> selector = f.map(spec, "selector");
    Map<String, String> labels = new HashMap<>();
    f.map(selector, "matchLabels").forEach((key, value) -> {
      if (!(value instanceof String text)) {
        throw f.problem("spec.selector.matchLabels." + key, "a string", value);
      }
      labels.put(key, text);
    });
    List<BudgetSnapshot.LabelRequirement> expressions = new ArrayList<>();
    for (Map<String, Object> expression : f.listOfMaps(selector, "spec.selector.matchExpressions",
        "matchExpressions")) {
      String key = f.string(expression, "spec.selector.matchExpressions[].key", "key");
      String operator = f.string(expression, "spec.selector.matchExpressions[].operator", "operator");
      if (key == null || !SELECTOR_OPERATORS.contains(operator)) {
        throw f.problem("spec.selector.matchExpressions[]", "a key with operator In, NotIn, Exists or DoesNotExist",
            expression);
      }
      Object values = expression.get("values");
      List<String> texts = new ArrayList<>();
      if (values instanceof List<?> list) {
        for (Object value : list) {
          texts.add(String.valueOf(value));
        }
      } else if (values != null) {
        throw f.problem("spec.selector.matchExpressions[].values", "a list", values);
      }
      expressions.add(new BudgetSnapshot.LabelRequirement(key, operator, texts));
    }
    Map<String, Object> status = f.map(budget.getAdditionalProperties(), "status");
    Object allowed = status.get("disruptionsAllowed");
    if (allowed != null && !(allowed instanceof Number)) {
      throw f.problem("status.disruptionsAllowed", "an integer", allowed);
    }
    return new BudgetSnapshot(intern(f.requireNamespace()), f.meta.getName(), labels, expressions,
        allowed == null ? -1 : ((Number) allowed).intValue());
  }

  public static DaemonSetSnapshot daemonSet(GenericKubernetesResource daemonSet) {
    Fields f = new Fields(daemonSet);
    Map<String, Object> spec = f.map(daemonSet.getAdditionalProperties(), "spec");
    Map<String, Object> podSpec = f.map(f.map(spec, "template"), "spec");
    List<String> initContainers = containerNames(f, podSpec, "spec.template.spec.initContainers");
    List<String> images = new ArrayList<>();
    for (Map<String, Object> container : f.listOfMaps(podSpec, "spec.template.spec.containers", "containers")) {
      String image = f.string(container, "spec.template.spec.containers[].image", "image");
      if (image != null) {
        images.add(image);
      }
    }
    return new DaemonSetSnapshot(intern(f.requireNamespace()), f.meta.getName(), initContainers,
        internAll(f.meta.getLabels()), images);
  }

  /** A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy: its L7 rules and endpoint selectors. */
  @SuppressWarnings("unchecked")
  public static PolicySnapshot policy(GenericKubernetesResource policy) {
    Fields f = new Fields(policy);
    boolean clusterwide = "CiliumClusterwideNetworkPolicy".equals(policy.getKind());
    List<Map<String, Object>> rules = new ArrayList<>();
    Map<String, Object> spec = f.map(policy.getAdditionalProperties(), "spec");
    if (!spec.isEmpty()) {
      rules.add(spec);
    }
    rules.addAll(f.listOfMaps(policy.getAdditionalProperties(), "specs", "specs"));
    java.util.Set<String> l7 = new java.util.TreeSet<>();
    List<List<BudgetSnapshot.LabelRequirement>> selectors = new ArrayList<>();
    for (Map<String, Object> rule : rules) {
      Map<String, Object> selector = f.map(rule, "endpointSelector");
      List<BudgetSnapshot.LabelRequirement> requirements = new ArrayList<>();
      f.map(selector, "matchLabels").forEach((key, value) -> requirements.add(new BudgetSnapshot.LabelRequirement(
          key.replaceFirst("^k8s:", ""), "In", List.of(String.valueOf(value)))));
      for (Map<String, Object> expression : f.listOfMaps(selector, "endpointSelector.matchExpressions",
          "matchExpressions")) {
        String key = f.string(expression, "endpointSelector.matchExpressions[].key", "key");
        String operator = f.string(expression, "endpointSelector.matchExpressions[].operator", "operator");
        Object values = expression.get("values");
        requirements.add(new BudgetSnapshot.LabelRequirement(key == null ? "" : key.replaceFirst("^k8s:", ""),
            operator == null ? "" : operator, values instanceof List<?> list
                ? list.stream().map(String::valueOf).toList() : List.of()));
      }
      selectors.add(requirements);
      for (String direction : List.of("egress", "ingress")) {
        for (Map<String, Object> peer : f.listOfMaps(rule, direction, direction)) {
          if (peer.get("toFQDNs") != null) {
            l7.add("toFQDNs");
          }
          for (Map<String, Object> port : f.listOfMaps(peer, direction + "[].toPorts", "toPorts")) {
            Map<String, Object> l7Rules = f.map(port, "rules");
            for (String kind : List.of("dns", "http", "kafka", "l7proto")) {
              if (l7Rules.get(kind) != null) {
                l7.add(kind);
              }
            }
          }
        }
      }
    }
    return new PolicySnapshot(clusterwide ? null : intern(f.requireNamespace()), f.meta.getName(), List.copyOf(l7),
        selectors);
  }

  private static OwnerRef controller(List<OwnerReference> owners) {
    if (owners == null) {
      return null;
    }
    for (OwnerReference owner : owners) {
      if (Boolean.TRUE.equals(owner.getController()) && owner.getKind() != null && owner.getName() != null) {
        return Canonical.of(new OwnerRef(intern(owner.getKind()), intern(owner.getName()), owner.getUid()));
      }
    }
    return null;
  }

  private static String annotation(ObjectMeta meta, String key) {
    return meta.getAnnotations() == null ? null : meta.getAnnotations().get(key);
  }

  // Namespaces, node names, phases, owner names and labels repeat across thousands of pods: one copy each.
  private static String intern(String value) {
    return value == null ? null : value.intern();
  }

  /** The labels as one shared immutable map per distinct label set ({@link Canonical}), keys and values interned. */
  private static Map<String, String> internAll(Map<String, String> labels) {
    if (labels == null || labels.isEmpty()) {
      return Map.of();
    }
    Map<String, String> interned = new HashMap<>(labels.size() * 2);
    labels.forEach((k, v) -> {
      if (k != null && v != null) {
        interned.put(k.intern(), v.intern());
      }
    });
    return Canonical.of(Map.copyOf(interned));
  }

  /** Typed reads with errors that name the object, the field and the value. */
  private static final class Fields {
    final GenericKubernetesResource object;
    final ObjectMeta meta;

    Fields(GenericKubernetesResource object) {
      this.object = object;
      this.meta = object.getMetadata();
      if (meta == null || meta.getName() == null || meta.getName().isEmpty()) {
        throw new ProjectionException(object.getKind() + " without metadata.name");
      }
    }

    String requireNamespace() {
      if (meta.getNamespace() == null || meta.getNamespace().isEmpty()) {
        throw new ProjectionException(describe() + ": metadata.namespace is missing");
      }
      return meta.getNamespace();
    }

    String describe() {
      String ns = meta.getNamespace();
      return object.getKind() + " " + (ns == null || ns.isEmpty() ? "" : ns + "/") + meta.getName();
    }

    ProjectionException problem(String field, String expected, Object found) {
      String shown = String.valueOf(found);
      if (shown.length() > 80) {
        shown = shown.substring(0, 80) + "...";
      }
      return new ProjectionException(describe() + ": " + field + " must be " + expected + ", got " + shown);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> map(Map<String, Object> parent, String field) {
      Object value = parent == null ? null : parent.get(field);
      if (value == null) {
        return Map.of();
      }
      if (!(value instanceof Map)) {
        throw problem(field, "an object", value);
      }
      return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> listOfMaps(Map<String, Object> parent, String path, String field) {
      Object value = parent.get(field);
      if (value == null) {
        return List.of();
      }
      if (!(value instanceof List<?> list)) {
        throw problem(path, "a list", value);
      }
      for (Object item : list) {
        if (!(item instanceof Map)) {
          throw problem(path + "[]", "an object", item);
        }
      }
      return (List<Map<String, Object>>) value;
    }

    List<String> listOfStrings(Map<String, Object> parent, String path, String field) {
      Object value = parent.get(field);
      if (value == null) {
        return List.of();
      }
      if (!(value instanceof List<?> list)) {
        throw problem(path, "a list", value);
      }
      List<String> strings = new ArrayList<>(list.size());
      for (Object item : list) {
        if (!(item instanceof String text)) {
          throw problem(path + "[]", "a string", item);
        }
        strings.add(text);
      }
      return strings;
    }

    String string(Map<String, Object> parent, String path, String field) {
      Object value = parent.get(field);
      if (value == null || value instanceof String) {
        return (String) value;
      }
      throw problem(path, "a string", value);
    }

    boolean bool(Map<String, Object> parent, String path, String field) {
      Object value = parent.get(field);
      if (value == null) {
        return false;
      }
      if (value instanceof Boolean b) {
        return b;
      }
      throw problem(path, "a boolean", value);
    }

    Instant time(Map<String, Object> parent, String path, String field) {
      return parseTime(path, string(parent, path, field));
    }

    Instant parseTime(String path, String value) {
      if (value == null || value.isEmpty()) {
        return null;
      }
      Instant plain = plainUtcTime(value);
      if (plain != null) {
        return plain;
      }
      try {
        return OffsetDateTime.parse(value).toInstant();
      } catch (DateTimeParseException e) {
        throw problem(path, "an RFC 3339 time", value);
      }
    }
  }

  /**
   * The instant of a time in the one form Kubernetes writes its object times in, {@code 2026-11-23T03:00:00Z}, or null
   * for anything else (fractions, offsets, out-of-range fields), which {@link OffsetDateTime#parse} then reads or
   * refuses. A pod carries three to five of them; the general parser cost about a microsecond and a dozen objects each.
   */
  static Instant plainUtcTime(String value) {
    if (value.length() != 20 || value.charAt(4) != '-' || value.charAt(7) != '-' || value.charAt(10) != 'T'
        || value.charAt(13) != ':' || value.charAt(16) != ':' || value.charAt(19) != 'Z') {
      return null;
    }
    int year = digits(value, 0, 4);
    int month = digits(value, 5, 2);
    int day = digits(value, 8, 2);
    int hour = digits(value, 11, 2);
    int minute = digits(value, 14, 2);
    int second = digits(value, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1
        || (day > 28 && day > java.time.YearMonth.of(year, month).lengthOfMonth())
        || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
      return null;
    }
    long days = java.time.LocalDate.of(year, month, day).toEpochDay();
    return Instant.ofEpochSecond(days * 86_400 + hour * 3_600 + minute * 60 + second);
  }

  /** The decimal number of {@code length} ASCII digits at {@code from}, or -1. */
  private static int digits(String value, int from, int length) {
    int number = 0;
    for (int i = from; i < from + length; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      number = number * 10 + (c - '0');
    }
    return number;
  }
}
