package io.sinkron.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * TCP ports for processes that tests and benchmarks start, chosen so that nothing else takes them
 * between the choice and the child's bind.
 *
 * <p>A port that {@code new ServerSocket(0)} returned comes from the kernel's ephemeral range
 * ({@code /proc/sys/net/ipv4/ip_local_port_range}), from which every outgoing connection on the
 * machine also takes its local port: between closing the probe socket and the child binding it,
 * any client (another test's gRPC channel, an HTTP client) may get it, and the child fails with
 * "address already in use". So ports are chosen outside that range, where the kernel never
 * assigns one on its own, starting from a random point per process. Each chosen port is locked
 * with a file lock in {@code <tmpdir>/sinkron-ports/} that this JVM holds until it exits, so two
 * test JVMs on one machine (parallel builds) never hand out the same port, and the port is probed
 * with a bind so that a long-running server that already has it is skipped.
 */
public final class ReservedPorts {

    /** The lowest port handed out: clear of the well-known and most registered service ports. */
    static final int LOWEST = 10_000;

    private static final Path LOCKS = Path.of(System.getProperty("java.io.tmpdir"), "sinkron-ports");
    /** Locks held for the life of this JVM: the ports it handed out. */
    private static final Map<Integer, FileLock> HELD = new ConcurrentHashMap<>();

    private ReservedPorts() {}

    /** {@code n} distinct ports, free now, that no cooperating process will hand out again. */
    public static synchronized int[] take(int n) {
        int[] range = candidateRange(ephemeralRange());
        int size = range[1] - range[0] + 1;
        int start = ThreadLocalRandom.current().nextInt(size);
        int[] ports = new int[n];
        int found = 0;
        for (int i = 0; i < size && found < n; i++) {
            int port = range[0] + (start + i) % size;
            if (!HELD.containsKey(port) && lock(port)) {
                if (bindable(port)) {
                    ports[found++] = port;
                } else {
                    release(port);
                }
            }
        }
        if (found < n) {
            throw new IllegalStateException(
                    "only " + found + " of " + n + " ports free in " + range[0] + "-" + range[1]);
        }
        return ports;
    }

    /** The kernel's ephemeral port range, or Linux's default when it cannot be read. */
    static int[] ephemeralRange() {
        try {
            String[] parts = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                    .trim()
                    .split("\\s+");
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {32_768, 60_999};
        }
    }

    /** The larger of the stretches below and above the ephemeral range, starting at {@link #LOWEST}. */
    static int[] candidateRange(int[] ephemeral) {
        int belowLow = LOWEST;
        int belowHigh = ephemeral[0] - 1;
        int aboveLow = Math.max(LOWEST, ephemeral[1] + 1);
        int aboveHigh = 65_535;
        int below = belowHigh - belowLow + 1;
        int above = aboveHigh - aboveLow + 1;
        if (below <= 0 && above <= 0) {
            throw new IllegalStateException(
                    "the ephemeral range " + ephemeral[0] + "-" + ephemeral[1] + " leaves no ports above " + LOWEST);
        }
        return below >= above ? new int[] {belowLow, belowHigh} : new int[] {aboveLow, aboveHigh};
    }

    private static boolean lock(int port) {
        try {
            Files.createDirectories(LOCKS);
            FileChannel channel = FileChannel.open(
                    LOCKS.resolve(port + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                return false;
            }
            HELD.put(port, lock);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock a port file in " + LOCKS, e);
        }
    }

    private static void release(int port) {
        FileLock lock = HELD.remove(port);
        try {
            lock.channel().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether a server could listen on {@code port} now, on every address (as the children do). */
    private static boolean bindable(int port) {
        for (var address : List.of(new InetSocketAddress(port), new InetSocketAddress("127.0.0.1", port))) {
            try (var socket = new ServerSocket()) {
                // As servers do: a port whose old connections linger in TIME_WAIT is still usable.
                socket.setReuseAddress(true);
                socket.bind(address);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
