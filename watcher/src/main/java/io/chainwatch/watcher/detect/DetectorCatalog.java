package io.chainwatch.watcher.detect;

import io.chainwatch.config.ChainwatchConfig;
import io.chainwatch.config.Setting;
import io.chainwatch.config.Settings;
import io.chainwatch.model.DetectorText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every detector chainwatch has. A new detector is its file, its test, one line here and its README row. */
public final class DetectorCatalog {
  private DetectorCatalog() {}

  public static final List<DetectorSpec> ALL = List.of(
      MissedCiliumChainDetector.SPEC,
      RpFilterResetDetector.SPEC,
      CiliumHealthLocalEndpointDetector.SPEC,
      ProbeSilentDetector.SPEC,
      MissingAgentNotReadyTaintDetector.SPEC,
      L7PolicyInChainingDetector.SPEC,
      DeploymentDoctorDetector.SPEC,
      VpcCniCoexistenceDetector.SPEC,
      CiliumNotInChainDetector.SPEC,
      EndpointStuckDetector.SPEC,
      KubeProxyWithReplacementDetector.SPEC,
      IpamExhaustedDetector.SPEC,
      IpamNearExhaustionDetector.SPEC,
      EndpointMismatchDetector.SPEC,
      DatapathNotReadyAfterTaintDetector.SPEC);

  /** The detectors a configuration runs, in catalog order. */
  public static List<Detector> enabled(ChainwatchConfig config) {
    List<Detector> detectors = new ArrayList<>();
    for (DetectorSpec spec : ALL) {
      if (spec.isEnabled(config)) {
        detectors.add(spec.factory().apply(config));
      }
    }
    return List.copyOf(detectors);
  }

  public static Optional<DetectorSpec> find(String id) {
    return ALL.stream().filter(spec -> spec.id().equals(id)).findFirst();
  }

  /** The settings detectors declare themselves (not in {@link Settings#ALL}), each once. */
  public static List<Setting<?>> ownSettings() {
    Map<String, Setting<?>> own = new LinkedHashMap<>();
    for (DetectorSpec spec : ALL) {
      List<Setting<?>> declared = new ArrayList<>(spec.settings());
      declared.add(0, spec.enabled());
      for (Setting<?> setting : declared) {
        if (!Settings.ALL.contains(setting)) {
          own.putIfAbsent(setting.path(), setting);
        }
      }
    }
    return List.copyOf(own.values());
  }

  /** Titles and runbooks of every detector, for the notifiers. */
  public static Map<String, DetectorText> texts() {
    Map<String, DetectorText> texts = new LinkedHashMap<>();
    ALL.forEach(spec -> texts.put(spec.id(), spec.text()));
    return texts;
  }
}
