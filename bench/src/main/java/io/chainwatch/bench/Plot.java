package io.chainwatch.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** Line charts as PNG with Java2D, so the benchmark needs no plotting dependency. */
final class Plot {
  record Series(String name, Color color, List<Double> xs, List<Double> ys) {}

  private static final int WIDTH = 900;
  private static final int HEIGHT = 520;
  private static final int LEFT = 90;
  private static final int RIGHT = 30;
  private static final int TOP = 50;
  private static final int BOTTOM = 70;

  private Plot() {}

  static void lines(String title, String xLabel, String yLabel, List<Series> series, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    double maxX = series.stream().flatMap(s -> s.xs().stream()).mapToDouble(Double::doubleValue).max().orElse(1);
    double maxY = series.stream().flatMap(s -> s.ys().stream()).filter(y -> !y.isNaN())
        .mapToDouble(Double::doubleValue).max().orElse(1) * 1.1;
    int plotWidth = WIDTH - LEFT - RIGHT;
    int plotHeight = HEIGHT - TOP - BOTTOM;
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString(title, LEFT, 30);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int tick = 0; tick <= 5; tick++) {
      int y = TOP + plotHeight - plotHeight * tick / 5;
      g.setColor(new Color(225, 225, 225));
      g.drawLine(LEFT, y, LEFT + plotWidth, y);
      g.setColor(Color.DARK_GRAY);
      g.drawString(format(maxY * tick / 5), 10, y + 4);
      int x = LEFT + plotWidth * tick / 5;
      g.drawString(format(maxX * tick / 5), x - 15, TOP + plotHeight + 20);
    }
    g.setColor(Color.BLACK);
    g.drawLine(LEFT, TOP + plotHeight, LEFT + plotWidth, TOP + plotHeight);
    g.drawLine(LEFT, TOP, LEFT, TOP + plotHeight);
    g.drawString(xLabel, LEFT + plotWidth / 2 - 60, HEIGHT - 20);
    g.drawString(yLabel, 10, TOP - 12);
    int legendY = TOP + 10;
    for (Series s : series) {
      g.setColor(s.color());
      g.setStroke(new BasicStroke(2.5f));
      int previousX = -1;
      int previousY = -1;
      for (int i = 0; i < s.xs().size(); i++) {
        if (s.ys().get(i).isNaN()) {
          previousX = -1;
          continue;
        }
        int x = LEFT + (int) (plotWidth * s.xs().get(i) / maxX);
        int y = TOP + plotHeight - (int) (plotHeight * s.ys().get(i) / maxY);
        g.fillOval(x - 4, y - 4, 8, 8);
        if (previousX >= 0) {
          g.drawLine(previousX, previousY, x, y);
        }
        previousX = x;
        previousY = y;
      }
      g.fillRect(LEFT + 20, legendY - 8, 14, 4);
      g.setColor(Color.BLACK);
      g.drawString(s.name(), LEFT + 40, legendY - 2);
      legendY += 18;
    }
    g.dispose();
    ImageIO.write(image, "png", file.toFile());
  }

  private static String format(double value) {
    if (value >= 100) {
      return String.format("%.0f", value);
    }
    return String.format("%.1f", value);
  }
}
