package io.sinkron.bench;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One platform thread of {@link HttpLoad} multiplexing many non-blocking connections with a
 * {@link Selector}, as each of {@code wrk}'s threads does with epoll: each connection carries one
 * client with one request in flight; its answer is parsed in place from the connection's reusable
 * buffer, and the next request is written as soon as the last answer is complete (closed loop) or
 * when it falls due (open loop). Latencies go into this thread's own recorder, which only this
 * thread writes.
 */
final class ConnectionLoop implements Runnable {

    /** A failed or refused connection is retried after this pause, so it cannot become a busy loop. */
    private static final long RETRY_NANOS = 10_000_000;

    private static final long TIMEOUT_SCAN_NANOS = 50_000_000;
    private static final int BUFFER = 16 * 1024;

    /** One client and its connection. */
    private static final class Connection {
        final HttpLoad.Client client;
        SocketChannel channel;
        SelectionKey key;
        byte[] in = new byte[BUFFER];
        ByteBuffer inBuffer = ByteBuffer.wrap(in);
        int position;
        int limit;
        ByteBuffer out;
        /** A request waiting for the connection to be (re)established. */
        byte[] pending;
        /** When the current operation started, or was due (open loop). */
        long opStart;
        /** When the request in flight was written; 0 when none is. */
        long sentAt;
        /** Open loop: when the next operation is due. */
        long due;
        /** When the timer should act on this connection: start an operation or reconnect. */
        long wakeAt;

        boolean queued;
        boolean inOperation;

        Connection(HttpLoad.Client client) {
            this.client = client;
        }
    }

    private final Selector selector;
    private final List<Connection> connections = new ArrayList<>();
    private final PriorityQueue<Connection> timers = new PriorityQueue<>((a, b) -> Long.compare(a.wakeAt, b.wakeAt));
    private final long interval;
    private final long opTimeoutNanos;
    private final SingleWriterRecorder recorder = new SingleWriterRecorder(3);
    private final LongAdder completed;
    private final LongAdder errors;
    private final AtomicReference<String> firstError;
    private volatile boolean stopped;

    /**
     * @param interval open loop: nanoseconds between one client's operations; 0 for a closed loop
     */
    ConnectionLoop(
            long interval,
            long opTimeoutNanos,
            LongAdder completed,
            LongAdder errors,
            AtomicReference<String> firstError)
            throws IOException {
        this.selector = Selector.open();
        this.interval = interval;
        this.opTimeoutNanos = opTimeoutNanos;
        this.completed = completed;
        this.errors = errors;
        this.firstError = firstError;
    }

    /** Adds a client before the loop runs; its first operation starts at {@code firstDue}. */
    void add(HttpLoad.Client client, long firstDue) {
        var c = new Connection(client);
        c.due = firstDue;
        connections.add(c);
    }

    /** Latencies (ns) of the operations completed since the last call. */
    Histogram interval() {
        return recorder.getIntervalHistogram();
    }

    /** Ends the loop soon; {@link #run} then closes every connection. */
    void stop() {
        stopped = true;
        selector.wakeup();
    }

    @Override
    public void run() {
        long now = System.nanoTime();
        for (Connection c : connections) {
            if (interval > 0) {
                schedule(c, c.due);
            } else {
                startOperation(c, now);
            }
        }
        long nextScan = now + TIMEOUT_SCAN_NANOS;
        try {
            while (!stopped) {
                poll();
                now = System.nanoTime();
                while (!timers.isEmpty() && timers.peek().wakeAt <= now && !stopped) {
                    Connection c = timers.poll();
                    c.queued = false;
                    startOperation(c, now);
                }
                if (now >= nextScan) {
                    expire(now);
                    nextScan = now + TIMEOUT_SCAN_NANOS;
                }
            }
        } finally {
            for (Connection c : connections) {
                closeChannel(c);
            }
            try {
                selector.close();
            } catch (IOException e) {
                // Nothing is left to close.
            }
        }
    }

    /** Waits for ready connections until the next timer, and serves them. */
    private void poll() {
        long wait = timers.isEmpty() ? TIMEOUT_SCAN_NANOS : timers.peek().wakeAt - System.nanoTime();
        try {
            if (wait >= 1_000_000) {
                selector.select(this::ready, wait / 1_000_000);
            } else {
                // Selector timeouts are whole milliseconds; a sooner timer parks for its own time.
                if (wait > 0) {
                    selector.selectNow(this::ready);
                    LockSupport.parkNanos(wait);
                }
                selector.selectNow(this::ready);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void ready(SelectionKey key) {
        var c = (Connection) key.attachment();
        try {
            if (!key.isValid()) {
                return;
            }
            if (key.isConnectable()) {
                if (!c.channel.finishConnect()) {
                    return;
                }
                key.interestOps(SelectionKey.OP_READ);
                if (c.pending != null) {
                    byte[] request = c.pending;
                    c.pending = null;
                    send(c, request);
                }
                return;
            }
            if (key.isWritable()) {
                c.channel.write(c.out);
                if (!c.out.hasRemaining()) {
                    key.interestOps(SelectionKey.OP_READ);
                }
            }
            if (key.isReadable()) {
                read(c);
            }
        } catch (IOException | RuntimeException e) {
            fail(c, e.toString());
        }
    }

    private void read(Connection c) throws IOException {
        if (c.limit == c.in.length) {
            if (c.position > 0) {
                System.arraycopy(c.in, c.position, c.in, 0, c.limit - c.position);
                c.limit -= c.position;
                c.position = 0;
            } else {
                c.in = Arrays.copyOf(c.in, c.in.length * 2);
                c.inBuffer = ByteBuffer.wrap(c.in);
            }
        }
        c.inBuffer.limit(c.in.length).position(c.limit);
        int n = c.channel.read(c.inBuffer);
        if (n < 0) {
            if (c.sentAt == 0) {
                // Closed while idle (e.g. a server's keep-alive timeout): open a fresh one.
                closeChannel(c);
                return;
            }
            c.client.endOfStream();
            answered(c);
            return;
        }
        c.limit += n;
        while (c.sentAt != 0) {
            c.position += c.client.parse(c.in, c.position, c.limit);
            if (!c.client.complete()) {
                break;
            }
            answered(c);
        }
        if (c.position == c.limit) {
            c.position = 0;
            c.limit = 0;
        }
    }

    /** A whole answer arrived: the operation goes on, or ends and the next one starts. */
    private void answered(Connection c) {
        c.sentAt = 0;
        byte[] next = c.client.next();
        boolean close = c.client.closeAfter();
        String answer = next == Operation.FAILED ? c.client.lastAnswer() : null;
        c.client.reset();
        if (close) {
            closeChannel(c);
        }
        if (next == Operation.SUCCEEDED || next == Operation.FAILED) {
            long now = System.nanoTime();
            c.inOperation = false;
            if (!stopped) {
                if (next == Operation.SUCCEEDED) {
                    recorder.recordValue(now - c.opStart);
                    completed.increment();
                } else {
                    errors.increment();
                    firstError.compareAndSet(null, answer);
                }
            }
            startOperation(c, now);
        } else {
            send(c, next);
        }
    }

    /** Starts the client's next operation now, or schedules it when it is not yet due. */
    private void startOperation(Connection c, long now) {
        if (stopped || c.inOperation) {
            return;
        }
        if (interval > 0) {
            if (c.due > now) {
                schedule(c, c.due);
                return;
            }
            // A late operation is timed from when it was due (coordinated omission corrected).
            c.opStart = c.due;
            c.due += interval;
        } else {
            c.opStart = now;
        }
        c.inOperation = true;
        send(c, c.client.start());
    }

    private void send(Connection c, byte[] request) {
        if (c.channel == null) {
            c.pending = request;
            connect(c);
            return;
        }
        if (c.key.interestOps() == SelectionKey.OP_CONNECT) {
            c.pending = request;
            return;
        }
        c.sentAt = System.nanoTime();
        try {
            c.out = ByteBuffer.wrap(request);
            c.channel.write(c.out);
            if (c.out.hasRemaining()) {
                c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        } catch (IOException e) {
            fail(c, e.toString());
        }
    }

    private void connect(Connection c) {
        c.sentAt = System.nanoTime();
        try {
            var channel = SocketChannel.open();
            c.channel = channel;
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            boolean connected = channel.connect(c.client.address());
            c.key = channel.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
            c.position = 0;
            c.limit = 0;
            if (connected && c.pending != null) {
                byte[] request = c.pending;
                c.pending = null;
                send(c, request);
            }
        } catch (IOException e) {
            fail(c, e.toString());
        }
    }

    /**
     * The operation failed on this connection (I/O error, malformed answer, timeout): counted, the
     * connection dropped, and a new operation started on a fresh one a little later.
     */
    private void fail(Connection c, String error) {
        if (!stopped) {
            errors.increment();
            firstError.compareAndSet(null, error);
        }
        closeChannel(c);
        c.client.reset();
        c.pending = null;
        c.sentAt = 0;
        c.inOperation = false;
        long retry = System.nanoTime() + RETRY_NANOS;
        schedule(c, interval > 0 ? Math.max(retry, c.due) : retry);
    }

    private void expire(long now) {
        for (Connection c : connections) {
            if (c.sentAt != 0 && now - c.sentAt > opTimeoutNanos) {
                fail(c, "no answer within " + opTimeoutNanos / 1_000_000 + " ms");
            }
        }
    }

    private void schedule(Connection c, long at) {
        if (c.queued) {
            timers.remove(c);
        }
        c.wakeAt = at;
        c.queued = true;
        timers.add(c);
    }

    private static void closeChannel(Connection c) {
        if (c.channel != null) {
            try {
                c.channel.close();
            } catch (IOException e) {
                // Closing a broken connection; the next operation opens a new one.
            }
            c.channel = null;
            c.key = null;
        }
        c.position = 0;
        c.limit = 0;
    }
}
