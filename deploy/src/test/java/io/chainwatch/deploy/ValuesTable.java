package io.chainwatch.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The README's table of chart values, computed from values.yaml: every key documented by a {@code # --} comment,
 * with its default as written (a block value shows as "see values.yaml").
 */
final class ValuesTable {
  private ValuesTable() {}

  static List<String> rows(Path valuesFile) throws IOException {
    List<String> lines = Files.readAllLines(valuesFile);
    List<String> rows = new ArrayList<>();
    List<String> parents = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!line.trim().startsWith("# --") || i + 1 >= lines.size()) {
        continue;
      }
      String comment = line.trim().substring(4).trim();
      String keyLine = lines.get(i + 1);
      int indent = keyLine.length() - keyLine.stripLeading().length();
      int colon = keyLine.indexOf(':');
      String key = keyLine.substring(indent, colon).trim();
      String value = keyLine.substring(colon + 1).trim();
      while (parents.size() > indent / 2) {
        parents.remove(parents.size() - 1);
      }
      boolean group = value.isEmpty() && i + 2 < lines.size() && lines.get(i + 2).trim().startsWith("# --");
      String path = String.join(".", parents) + (parents.isEmpty() ? "" : ".") + key;
      if (group) {
        parents.add(key);
        continue;
      }
      String shown = value.isEmpty() ? "see values.yaml" : "`" + value + "`";
      rows.add("| `" + path + "` | " + shown + " | " + comment + " |");
    }
    return rows;
  }
}
