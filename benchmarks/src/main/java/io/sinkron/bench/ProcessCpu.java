package io.sinkron.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time (user + system, all threads) a live process has used, from {@code /proc}. */
final class ProcessCpu {

    /** Linux reports {@code /proc/<pid>/stat} times in USER_HZ, which is 100 on every platform. */
    private static final double TICKS_PER_SECOND = 100;

    private ProcessCpu() {}

    /** Seconds of CPU used by {@code pid}, or 0 if it is gone. */
    static double seconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may contain spaces; fields after its ')' are plain.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(fields[11]);
            long stime = Long.parseLong(fields[12]);
            return (utime + stime) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static double seconds(long[] pids) {
        double total = 0;
        for (long pid : pids) {
            total += seconds(pid);
        }
        return total;
    }
}
