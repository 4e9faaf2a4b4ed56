package io.sinkron.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code jcmd} of this JDK against a process, e.g. to start and stop a flight recording. */
final class Jcmd {

    private Jcmd() {}

    /** Runs {@code jcmd PID COMMAND...}; a failure is printed, not thrown (a recording is optional). */
    static void run(long pid, String... command) {
        var args = new ArrayList<String>();
        args.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        args.add(Long.toString(pid));
        args.addAll(List.of(command));
        try {
            var process = new ProcessBuilder(args)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                System.out.println("jcmd " + pid + " " + String.join(" ", command) + " failed");
            }
        } catch (java.io.IOException e) {
            System.out.println("jcmd " + pid + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
