package io.chainwatch.demo;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Renders a Block Kit message roughly as Slack shows it: as text lines for the terminal, and as a PNG for the README.
 * Emoji codes become small symbols; markdown markers are dropped.
 */
final class SlackPreview {
  private static final Map<String, String> EMOJI = Map.of(":red_circle:", "●", ":rotating_light:", "▲",
      ":hammer_and_wrench:", "⚒", ":white_check_mark:", "✔", ":warning:", "⚠", ":raising_hand:", "☛");
  private static final int WIDTH = 900;

  private SlackPreview() {}

  /** One entry per visual line: {@code [style, text]} where style is header, text, code, field or context. */
  static List<String[]> lines(JsonArray blocks) {
    List<String[]> lines = new ArrayList<>();
    for (Object item : blocks) {
      JsonObject block = (JsonObject) item;
      switch (block.getString("type")) {
        case "header" -> lines.add(new String[] {"header", clean(block.getJsonObject("text").getString("text"))});
        case "section" -> {
          if (block.containsKey("fields")) {
            StringBuilder row = new StringBuilder();
            for (Object field : block.getJsonArray("fields")) {
              row.append(clean(((JsonObject) field).getString("text")).replace("\n", ": ")).append("     ");
            }
            lines.add(new String[] {"field", row.toString().strip()});
          } else {
            String text = block.getJsonObject("text").getString("text");
            String[] parts = text.split("```");
            for (int i = 0; i < parts.length; i++) {
              for (String line : parts[i].split("\n")) {
                if (!line.isBlank()) {
                  lines.add(new String[] {i % 2 == 1 ? "code" : "text", clean(line)});
                }
              }
            }
          }
        }
        case "context" -> block.getJsonArray("elements").forEach(e ->
            lines.add(new String[] {"context", clean(((JsonObject) e).getString("text"))}));
        default -> { }
      }
    }
    return lines;
  }

  static List<String> text(JsonArray blocks) {
    return lines(blocks).stream().map(line -> (line[0].equals("code") ? "  | " : "") + line[1]).toList();
  }

  static void png(JsonArray blocks, Path file) throws IOException {
    List<String[]> lines = wrap(lines(blocks));
    int height = 40 + lines.size() * 22;
    BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, height);
    g.setColor(new Color(0x4A, 0x15, 0x4B));
    g.fillRect(0, 0, 6, height);
    int y = 28;
    for (String[] line : lines) {
      switch (line[0]) {
        case "header" -> {
          g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
          g.setColor(new Color(0x1D, 0x1C, 0x1D));
        }
        case "code" -> {
          g.setColor(new Color(0xF4, 0xF4, 0xF4));
          g.fillRect(24, y - 15, WIDTH - 48, 22);
          g.setFont(new Font(Font.MONOSPACED, Font.PLAIN, 13));
          g.setColor(new Color(0xC0, 0x1E, 0x5A));
        }
        case "context" -> {
          g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
          g.setColor(new Color(0x61, 0x60, 0x61));
        }
        default -> {
          g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
          g.setColor(new Color(0x1D, 0x1C, 0x1D));
        }
      }
      g.drawString(line[1], 30, y);
      y += 22;
    }
    g.dispose();
    ImageIO.write(image, "png", file.toFile());
  }

  private static List<String[]> wrap(List<String[]> lines) {
    FontMetrics metrics = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics()
        .getFontMetrics(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
    List<String[]> wrapped = new ArrayList<>();
    for (String[] line : lines) {
      String rest = line[1];
      while (metrics.stringWidth(rest) > WIDTH - 70 && rest.length() > 20) {
        int cut = rest.length();
        while (cut > 20 && metrics.stringWidth(rest.substring(0, cut)) > WIDTH - 70) {
          cut = rest.lastIndexOf(' ', cut - 1) > 20 ? rest.lastIndexOf(' ', cut - 1) : cut - 10;
        }
        wrapped.add(new String[] {line[0], rest.substring(0, cut)});
        rest = rest.substring(cut).strip();
      }
      wrapped.add(new String[] {line[0], rest});
    }
    return wrapped;
  }

  private static String clean(String text) {
    String cleaned = text.replace("*", "").replace("`", "").replace("&lt;", "<").replace("&gt;", ">")
        .replace("&amp;", "&");
    for (Map.Entry<String, String> emoji : EMOJI.entrySet()) {
      cleaned = cleaned.replace(emoji.getKey(), emoji.getValue());
    }
    return cleaned;
  }
}
