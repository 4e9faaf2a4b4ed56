package io.sinkron.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A latency-against-throughput chart drawn with java.awt (headless): throughput on a linear x
 * axis from 0, latency on a logarithmic y axis; per series a solid line through the p50 points
 * and a dashed one through the p99 points, ordered by client count (closed loops) or rate (open
 * loops). Closed loops (one point per
 * client count) and open loops (one point per fixed rate) of a target are separate series.
 */
final class LatencyPlot {

    private static final int WIDTH = 960;
    private static final int HEIGHT = 600;
    private static final int LEFT = 80;
    private static final int RIGHT = 380;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final Color[] COLORS = {
        new Color(0x1f77b4),
        new Color(0x9ecae1),
        new Color(0xd62728),
        new Color(0xfc9272),
        new Color(0x2ca02c),
        new Color(0xa1d99b),
        new Color(0x9467bd),
        new Color(0xff7f0e)
    };

    private LatencyPlot() {}

    static void write(Path file, String title, Map<String, List<ServiceResult>> series) throws IOException {
        System.setProperty("java.awt.headless", "true");
        double maxX = 1;
        double minY = Double.MAX_VALUE;
        double maxY = 0;
        for (List<ServiceResult> points : series.values()) {
            for (ServiceResult r : points) {
                maxX = Math.max(maxX, r.throughput());
                if (r.p50Millis() > 0) {
                    minY = Math.min(minY, r.p50Millis());
                }
                maxY = Math.max(maxY, r.p99Millis());
            }
        }
        double logMin = Math.floor(Math.log10(Math.max(0.01, Math.min(minY, maxY))));
        double logMax = Math.ceil(Math.log10(Math.max(maxY, Math.pow(10, logMin + 1))));
        if (logMax <= logMin) {
            logMax = logMin + 1;
        }
        double xMax = niceCeiling(maxX * 1.05);

        var image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;

        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.setColor(Color.BLACK);
        g.drawString(title, LEFT, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));

        // Grid and axes.
        for (int i = 0; i <= 5; i++) {
            double x = xMax * i / 5;
            int px = LEFT + (int) (plotW * i / 5.0);
            g.setColor(new Color(0xdddddd));
            g.drawLine(px, TOP, px, TOP + plotH);
            g.setColor(Color.BLACK);
            String label = String.format(Locale.ROOT, "%,.0f", x);
            g.drawString(label, px - g.getFontMetrics().stringWidth(label) / 2, TOP + plotH + 18);
        }
        for (double e = logMin; e <= logMax; e++) {
            for (int m = 1; m <= 9; m++) {
                double v = m * Math.pow(10, e);
                if (Math.log10(v) > logMax) {
                    break;
                }
                int py = y(v, logMin, logMax, plotH);
                g.setColor(m == 1 ? new Color(0xbbbbbb) : new Color(0xeeeeee));
                g.drawLine(LEFT, py, LEFT + plotW, py);
                if (m == 1) {
                    g.setColor(Color.BLACK);
                    String label = v >= 1 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%s", v);
                    g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), py + 4);
                }
            }
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, plotW, plotH);
        g.drawString("throughput, operations per second", LEFT + plotW / 2 - 100, HEIGHT - 18);
        var rotated = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString("latency, ms (log scale)", -(TOP + plotH / 2 + 60), 22);
        g.setTransform(rotated);

        Stroke solid = new BasicStroke(2f);
        Stroke dashed =
                new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);
        int legendY = TOP + 10;
        int colour = 0;
        for (var entry : series.entrySet()) {
            Color c = COLORS[colour++ % COLORS.length];
            List<ServiceResult> points = entry.getValue().stream()
                    .sorted(Comparator.comparingDouble(r -> r.offered() > 0 ? r.offered() : r.clients()))
                    .toList();
            for (int pass = 0; pass < 2; pass++) {
                boolean p99 = pass == 1;
                g.setColor(c);
                g.setStroke(p99 ? dashed : solid);
                int lastX = -1;
                int lastY = -1;
                for (ServiceResult r : points) {
                    double latency = p99 ? r.p99Millis() : r.p50Millis();
                    if (!(latency > 0)) {
                        continue;
                    }
                    int px = LEFT + (int) (plotW * r.throughput() / xMax);
                    int py = y(latency, logMin, logMax, plotH);
                    if (lastX >= 0) {
                        g.drawLine(lastX, lastY, px, py);
                    }
                    if (p99) {
                        g.fillRect(px - 3, py - 3, 7, 7);
                    } else {
                        g.fillOval(px - 4, py - 4, 8, 8);
                    }
                    lastX = px;
                    lastY = py;
                }
            }
            g.setStroke(solid);
            g.drawLine(WIDTH - RIGHT + 15, legendY, WIDTH - RIGHT + 40, legendY);
            g.setColor(Color.BLACK);
            g.drawString(entry.getKey(), WIDTH - RIGHT + 46, legendY + 4);
            legendY += 20;
        }
        g.setColor(Color.DARK_GRAY);
        g.drawString("solid, circles: p50", WIDTH - RIGHT + 15, legendY + 10);
        g.drawString("dashed, squares: p99", WIDTH - RIGHT + 15, legendY + 28);
        g.drawString("closed loop: one point per client count", WIDTH - RIGHT + 15, legendY + 46);
        g.drawString("open loop: one point per fixed rate, latency", WIDTH - RIGHT + 15, legendY + 62);
        g.drawString("from when each request was due", WIDTH - RIGHT + 15, legendY + 78);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static int y(double millis, double logMin, double logMax, int plotH) {
        double f = (Math.log10(millis) - logMin) / (logMax - logMin);
        return TOP + plotH - (int) Math.round(plotH * Math.max(0, Math.min(1, f)));
    }

    private static double niceCeiling(double value) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }
}
