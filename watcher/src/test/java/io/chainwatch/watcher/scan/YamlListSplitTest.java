package io.chainwatch.watcher.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class YamlListSplitTest {
  private static ListSplit split(String yaml) {
    byte[] bytes = yaml.getBytes(StandardCharsets.UTF_8);
    return YamlListSplit.of(bytes, bytes.length);
  }

  private static List<String> items(String yaml) {
    byte[] bytes = yaml.getBytes(StandardCharsets.UTF_8);
    ListSplit split = YamlListSplit.of(bytes, bytes.length);
    List<String> items = new ArrayList<>();
    for (int i = 0; i < split.items(); i++) {
      items.add(new String(bytes, split.start(i), split.end(i) - split.start(i), StandardCharsets.UTF_8));
    }
    return items;
  }

  @Test
  void kubectlsListSplitsAtEachEntryAndKeepsTheTopLevelWithEmptyItems() {
    String yaml = """
        apiVersion: v1
        items:
        - apiVersion: v1
          kind: Pod
          metadata:
            annotations:
              note: |
                - not an entry: a block scalar's lines are indented
          spec:
            containers:
            - name: a
        - apiVersion: v1
          kind: Node

        kind: List
        metadata:
          resourceVersion: ""
        """;

    assertThat(items(yaml)).containsExactly("""
        - apiVersion: v1
          kind: Pod
          metadata:
            annotations:
              note: |
                - not an entry: a block scalar's lines are indented
          spec:
            containers:
            - name: a
        """, """
        - apiVersion: v1
          kind: Node

        """);
    assertThat(new String(split(yaml).header(), StandardCharsets.UTF_8)).isEqualTo("""
        apiVersion: v1
        items: []
        kind: List
        metadata:
          resourceVersion: ""
        """);
  }

  @Test
  void indentedEntriesAndALastLineWithoutALineFeed() {
    assertThat(items("items:\n  - a: 1\n    b: 2\n  - a: 3\nkind: List")).containsExactly(
        "  - a: 1\n    b: 2\n", "  - a: 3\n");
    assertThat(new String(split("items:\n  - a: 1\nkind: List").header(), StandardCharsets.UTF_8))
        .isEqualTo("items: []\nkind: List\n");
  }

  @Test
  void shapesItDoesNotSplitAreLeftToTheOnePassReader() {
    assertThat(split("apiVersion: v1\nkind: Pod\n")).as("no items").isNull();
    assertThat(split("items: []\nkind: List\n")).as("a flow sequence").isNull();
    assertThat(split("items:\n- a: 1\n---\nitems:\n- a: 2\n")).as("two documents").isNull();
    assertThat(split("%YAML 1.1\n---\nitems:\n- a: 1\n")).as("a directive").isNull();
    assertThat(split("items:\n- a: 1\nitems:\n- a: 2\n")).as("items twice").isNull();
    assertThat(split("items:\n  - a: 1\n b: 2\n")).as("a line between the entries' indentation and 0").isNull();
    assertThat(split("items:\n  a: 1\n")).as("a mapping, not a sequence").isNull();
    assertThat(split("- a: 1\n- b: 2\n")).as("a bare sequence").isNull();
    assertThat(split("items:\n- a: 1\nkind: List\n- b: 2\n")).as("an entry after the items").isNull();
    assertThat(split("items:\n- a: 1\n\tkind: List\n")).as("a tab").isNull();
  }
}
