package io.sinkron.launcher;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * The merged log: every line prefixed with the name of the process that wrote it, in a colour of
 * its own when the output is a terminal. Lines are written whole, never interleaved.
 */
final class Console {

    static final String SELF = "sinkron";

    private static final int WIDTH = 8;
    private static final String RESET = "\u001b[0m";
    private static final String[] COLOURS = {
        "\u001b[36m", "\u001b[32m", "\u001b[33m", "\u001b[35m", "\u001b[34m", "\u001b[96m", "\u001b[92m", "\u001b[93m"
    };

    private final PrintStream out;
    private final boolean colour;
    private final Map<String, String> colours = new HashMap<>();

    Console(PrintStream out, boolean colour) {
        this.out = out;
        this.colour = colour;
    }

    /** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
    static Console system() {
        var console = System.console();
        boolean terminal = console != null && console.isTerminal();
        boolean wanted = System.getenv("NO_COLOR") == null && !"dumb".equals(System.getenv("TERM"));
        return new Console(System.out, terminal && wanted);
    }

    /** A line of the launcher itself. */
    void say(String text) {
        line(SELF, text);
    }

    synchronized void line(String source, String text) {
        String prefix = String.format("%-" + WIDTH + "s |", source);
        if (colour) {
            String code = source.equals(SELF)
                    ? "\u001b[1m"
                    : colours.computeIfAbsent(source, s -> COLOURS[colours.size() % COLOURS.length]);
            prefix = code + prefix + RESET;
        }
        out.println(prefix + " " + text);
        out.flush();
    }
}
