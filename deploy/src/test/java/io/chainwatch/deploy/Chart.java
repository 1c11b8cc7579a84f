package io.chainwatch.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The chart, rendered by real Helm (helm-java) with a release "chainwatch" in namespace "chainwatch". */
final class Chart {
  static final Path DIR = Path.of("helm", "chainwatch");
  static final Path FLEET_DIR = Path.of("helm", "chainwatch-fleet");

  private Chart() {}

  static String renderText(Map<String, Object> values) {
    return renderText(DIR, values);
  }

  static String renderText(Path chart, Map<String, Object> values) {
    TemplateCommand template = new Helm(chart).template().withName("chainwatch").withNamespace("chainwatch");
    values.forEach(template::set);
    return template.call();
  }

  /** Every rendered object, in order. */
  static List<Map<String, Object>> render(Map<String, Object> values) {
    return render(DIR, values);
  }

  /** Every object {@code chart} renders, in order. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> render(Path chart, Map<String, Object> values) {
    List<Map<String, Object>> objects = new ArrayList<>();
    for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(renderText(chart, values))) {
      if (document != null) {
        objects.add((Map<String, Object>) document);
      }
    }
    return objects;
  }

  static List<Map<String, Object>> ofKind(List<Map<String, Object>> objects, String kind) {
    return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
  }

  static Map<String, Object> one(List<Map<String, Object>> objects, String kind) {
    List<Map<String, Object>> found = ofKind(objects, kind);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + kind + ", got " + found.size());
    }
    return found.get(0);
  }

  /** Walks a path of map keys and list indexes. */
  @SuppressWarnings("unchecked")
  static <T> T at(Object root, Object... path) {
    Object current = root;
    for (Object step : path) {
      Objects.requireNonNull(current, "nothing at " + step);
      current = step instanceof Integer index ? ((List<Object>) current).get(index)
          : ((Map<String, Object>) current).get((String) step);
    }
    return (T) current;
  }
}
