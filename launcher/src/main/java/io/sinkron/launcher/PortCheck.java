package io.sinkron.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds the ports of the run that something else already listens on, before any process starts,
 * so that a conflict is one clear message instead of a half-started cluster.
 */
final class PortCheck {

    /** Marks the command line of every process a local run starts, so a leftover one is recognised. */
    static final String MARKER = "-Dsinkron.launcher.data-dir=";

    /**
     * A port in use.
     *
     * @param holder the listening process, when the machine tells (via lsof)
     */
    record Busy(int port, String use, Optional<ProcessHandle> holder) {

        boolean leftOverRun() {
            return holder.flatMap(h -> h.info().commandLine())
                    .map(c -> c.contains(MARKER))
                    .orElse(false);
        }

        String describe() {
            String who = holder.map(h -> " by pid " + h.pid()
                            + h.info()
                                    .commandLine()
                                    .map(c -> " (" + shorten(c) + ")")
                                    .orElse(""))
                    .orElse("");
            return "port " + port + " (" + use + ") is already in use" + who;
        }
    }

    private PortCheck() {}

    /** The ports of {@code ports} (port to what listens there) that are taken. */
    static List<Busy> busy(Map<Integer, String> ports) {
        var busy = new ArrayList<Busy>();
        ports.forEach((port, use) -> {
            if (!free(port)) {
                busy.add(new Busy(port, use, listener(port)));
            }
        });
        return busy;
    }

    /**
     * Free when both the wildcard and the loopback address can be bound: the nodes check the
     * wildcard themselves, and on BSD systems a socket bound to 127.0.0.1 does not block the
     * wildcard. Reusing the address ignores connections of an earlier run still in TIME_WAIT.
     */
    static boolean free(int port) {
        return bindable(new InetSocketAddress(port))
                && bindable(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    private static boolean bindable(InetSocketAddress address) {
        try (var socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(address);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Who listens on {@code port}, if lsof is installed and may tell. */
    private static Optional<ProcessHandle> listener(int port) {
        try {
            Process lsof = new ProcessBuilder("lsof", "-nP", "-t", "-iTCP:" + port, "-sTCP:LISTEN")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(lsof.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!lsof.waitFor(5, TimeUnit.SECONDS)) {
                lsof.destroyForcibly();
                return Optional.empty();
            }
            return out.lines()
                    .map(String::strip)
                    .filter(l -> l.matches("\\d+"))
                    .findFirst()
                    .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid)));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static String shorten(String commandLine) {
        return commandLine.length() <= 120 ? commandLine : commandLine.substring(0, 117) + "...";
    }
}
