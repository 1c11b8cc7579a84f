package io.chainwatch.watcher.detect;

import io.chainwatch.config.ChainwatchConfig;
import io.chainwatch.config.Parsers;
import io.chainwatch.config.Setting;
import io.chainwatch.model.DetectorText;
import io.chainwatch.model.Snapshot;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * One detector, declared once next to its code: what notifiers show, the settings it reads, the kinds whose changes
 * can change its verdicts (evaluation routes only those to it), and how it is built. Registered by one line in
 * {@link DetectorCatalog#ALL}; switched on or off by {@code detectors.<id>.enabled}.
 *
 * @param id stable kebab-case id (configuration keys, dedup keys, output)
 * @param text title and runbook
 * @param enabled its on/off switch: {@code detectors.<id>.enabled}
 * @param group a switch several detectors share ({@code detectors.deployment-doctor.enabled}), or {@code null}
 * @param settings the settings it declares itself (besides {@code enabled} when that is its own), loaded and checked
 *     with the rest of the configuration and listed in README's table
 * @param reads the snapshot types whose changes can change its verdicts; a change of any other kind is not routed to
 *     it (the sweep still judges everything)
 * @param factory builds it from the configuration
 */
public record DetectorSpec(String id, DetectorText text, Setting<Boolean> enabled, Setting<Boolean> group,
    List<Setting<?>> settings, Set<Class<? extends Snapshot>> reads, Function<ChainwatchConfig, Detector> factory) {
  public DetectorSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(enabled, "enabled");
    Objects.requireNonNull(factory, "factory");
    settings = List.copyOf(settings);
    reads = Set.copyOf(reads);
    if (!enabled.path().equals("detectors." + id + ".enabled")) {
      throw new IllegalArgumentException("detector " + id + " must be switched by detectors." + id + ".enabled, got "
          + enabled.path());
    }
  }

  /** The on/off switch a new detector declares for itself (on by default). */
  public static Setting<Boolean> enabledSetting(String id, String description) {
    return new Setting<>("detectors." + id + ".enabled", "true", "true or false", Parsers::bool, description, false);
  }

  /** Whether the configuration runs it: its own switch and its group's. */
  public boolean isEnabled(ChainwatchConfig config) {
    return config.value(enabled) && (group == null || config.value(group));
  }
}
