package io.sinkron.launcher;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code ./sinkron stop}: ends the local run recorded in the data directory, from another terminal
 * or after its launcher was killed without a chance to clean up. A live launcher is asked to stop
 * (it stops its processes in order); processes it left behind are stopped directly.
 */
final class StopCommand {

    private final PidFile pids;
    private final PrintStream out;

    StopCommand(PidFile pids, PrintStream out) {
        this.pids = pids;
        this.out = out;
    }

    /** @return 0 when nothing of the run is left, 1 otherwise */
    int run() throws InterruptedException {
        List<PidFile.Entry> entries = pids.read();
        if (entries.isEmpty()) {
            out.println("sinkron: no local run is recorded in " + pids.file().getParent());
            return 0;
        }
        Optional<ProcessHandle> launcher = entries.stream()
                .filter(e -> e.name().equals("launcher"))
                .findFirst()
                .flatMap(PidFile.Entry::live);
        if (launcher.isPresent()) {
            out.println("sinkron: asking the launcher (pid " + launcher.get().pid() + ") to stop its processes");
            end(launcher.get(), Supervisor.GRACE.multipliedBy(2).plusSeconds(10));
        }
        boolean left = false;
        for (PidFile.Entry e : entries) {
            if (e.name().equals("launcher")) {
                continue;
            }
            Optional<ProcessHandle> process = e.live();
            if (process.isPresent()) {
                out.println("sinkron: stopping " + e.name() + " (pid " + e.pid() + ")");
                left |= !end(process.get(), Supervisor.GRACE);
            }
        }
        if (left) {
            return 1;
        }
        pids.delete();
        out.println("sinkron: stopped");
        return 0;
    }

    /** SIGTERM, then SIGKILL after {@code grace}; true once the process is gone. */
    private boolean end(ProcessHandle process, Duration grace) throws InterruptedException {
        process.destroy();
        try {
            process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            out.println(
                    "sinkron: pid " + process.pid() + " did not stop within " + grace.toSeconds() + " s; killing it");
            process.destroyForcibly();
            try {
                process.onExit().get(10, TimeUnit.SECONDS);
                return true;
            } catch (TimeoutException | ExecutionException again) {
                return false;
            }
        } catch (ExecutionException e) {
            return !process.isAlive();
        }
    }
}
