package io.sinkron.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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

        /** The data directory of the local run the holder belongs to, if it is one. */
        Optional<String> localRun() {
            return holder.flatMap(h -> h.info().commandLine()).flatMap(PortCheck::localRunOf);
        }

        String describe() {
            return "port " + port + " (" + use + ") is already in use"
                    + holder.map(Busy::who).orElse("");
        }

        private static String who(ProcessHandle h) {
            String what = h.info().commandLine().map(PortCheck::summary).orElse("");
            return " by pid " + h.pid() + (what.isEmpty() ? "" : " (" + what + ")");
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

    private static Optional<String> localRunOf(String commandLine) {
        int at = commandLine.indexOf(MARKER);
        if (at < 0) {
            return Optional.empty();
        }
        int end = commandLine.indexOf(" -jar ", at);
        return Optional.of(commandLine.substring(at + MARKER.length(), end < 0 ? commandLine.length() : end));
    }

    /** "java -jar lock-service.jar of the local run in DIR", or the start of an unknown command line. */
    private static String summary(String commandLine) {
        int jar = commandLine.lastIndexOf(" -jar ");
        if (jar >= 0) {
            String name = Path.of(commandLine.substring(jar + 6).strip().split(" ")[0])
                    .getFileName()
                    .toString();
            return "java -jar " + name
                    + localRunOf(commandLine)
                            .map(d -> " of the local run in " + d)
                            .orElse("");
        }
        return commandLine.length() <= 100 ? commandLine : commandLine.substring(0, 97) + "...";
    }
}
