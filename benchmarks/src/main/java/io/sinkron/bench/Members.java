package io.sinkron.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The member processes of a {@link Cluster}: launch with a log file each, kill, account. */
final class Members {

    private final Process[] processes;

    Members(int size) {
        this.processes = new Process[size];
    }

    int size() {
        return processes.length;
    }

    void launch(int i, List<String> command, Map<String, String> env, Path log) throws IOException {
        var builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        processes[i] = builder.start();
    }

    boolean alive(int i) {
        return processes[i] != null && processes[i].isAlive();
    }

    /** SIGKILL, as a crash would: no shutdown hooks, nothing flushed. */
    void kill9(int i) throws InterruptedException {
        processes[i].destroyForcibly();
        processes[i].waitFor();
    }

    long[] pids() {
        long[] pids = new long[processes.length];
        for (int i = 0; i < processes.length; i++) {
            pids[i] = alive(i) ? processes[i].pid() : -1;
        }
        return pids;
    }

    void killAll() throws InterruptedException {
        for (int i = 0; i < processes.length; i++) {
            if (alive(i)) {
                kill9(i);
            }
        }
    }
}
