package io.sinkron.consensus.node;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * An output stream that keeps the CPU its writing thread spends to a share of the wall-clock time
 * (the snapshot writer's, so that a snapshot does not take the cores from the apply path while it
 * is written). Every {@value #CHECK_BYTES} bytes it compares the thread's CPU time since it began
 * with the time that has passed, and pauses until the share holds again. Thread priorities cannot
 * do this on Linux: the JVM maps them to nice values only with {@code -XX:ThreadPriorityPolicy=1}
 * as root.
 */
final class PacedOutput extends FilterOutputStream {

    private static final int CHECK_BYTES = 256 << 10;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final double share;
    private final long startCpu;
    private final long startWall;
    private long sinceCheck;

    /** @param share the most CPU time per wall-clock time the writing thread may take, in (0, 1] */
    PacedOutput(OutputStream out, double share) {
        super(out);
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("share " + share + " is not in (0, 1]");
        }
        this.share = THREADS.isCurrentThreadCpuTimeSupported() ? share : 1;
        this.startCpu = cpu();
        this.startWall = System.nanoTime();
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        count(1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        count(len);
    }

    private void count(int n) throws IOException {
        sinceCheck += n;
        if (sinceCheck < CHECK_BYTES || share >= 1) {
            return;
        }
        sinceCheck = 0;
        long cpu = cpu() - startCpu;
        long wall = System.nanoTime() - startWall;
        long owed = (long) (cpu / share) - wall;
        if (owed > 0) {
            try {
                // A pause that paces this thread, not a wait for another one.
                Thread.sleep(owed / 1_000_000, (int) (owed % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("snapshot writing interrupted");
            }
        }
    }

    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }
}
