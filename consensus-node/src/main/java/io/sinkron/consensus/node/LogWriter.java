package io.sinkron.consensus.node;

import io.sinkron.consensus.raft.Entry;
import io.sinkron.consensus.raft.HardState;
import io.sinkron.consensus.raft.Message;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the Raft log on its own thread, so that the driver goes on stepping the core (proposals,
 * followers' acknowledgements, applying committed entries) while the disk works: etcd-io/raft's
 * asynchronous storage writes.
 *
 * <p>Contract: jobs run in the order they were handed in. Writes that queue up while an fsync runs
 * are written together and made durable by one fsync (group commit). Only when a write is durable
 * are the messages that promise its durability (votes, append acknowledgements) sent, and then its
 * {@code onDurable} callback run, both on this thread and in order. A storage failure stops the
 * writer for good: nothing after it is written, sent or reported durable, and {@code onFailure}
 * tells the driver, which stops the node.
 */
final class LogWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogWriter.class);
    private static final int MAX_BATCH = 1_024;

    /** Work on the storage that must run in log order with the writes (compaction, reset). */
    @FunctionalInterface
    interface StorageTask {
        void run(RaftStorage storage) throws IOException;
    }

    /**
     * Persist {@code hardState} (if not null) and {@code entries}, then send {@code messages} and
     * run {@code onDurable}.
     */
    record Write(HardState hardState, List<Entry> entries, List<Message> messages, Runnable onDurable) implements Job {}

    private record Task(StorageTask work) implements Job {}

    private sealed interface Job permits Write, Task {}

    private final String groupId;
    private final RaftStorage storage;
    private final PeerTransport transport;
    private final DriverListener listener;
    private final Consumer<IOException> onFailure;
    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    LogWriter(
            String groupId,
            RaftStorage storage,
            PeerTransport transport,
            DriverListener listener,
            Consumer<IOException> onFailure) {
        this.groupId = groupId;
        this.storage = storage;
        this.transport = transport;
        this.listener = listener;
        this.onFailure = onFailure;
        this.thread = Thread.ofPlatform()
                .name("raft-log-writer-" + groupId)
                .daemon(true)
                .start(this::run);
    }

    void write(Write write) {
        queue.add(write);
    }

    /** Runs {@code work} after every write handed in before it. */
    void run(StorageTask work) {
        queue.add(new Task(work));
    }

    private void run() {
        var batch = new ArrayList<Job>();
        try {
            while (running) {
                batch.add(queue.take());
                queue.drainTo(batch, MAX_BATCH - 1);
                int from = 0;
                for (int i = 0; i < batch.size(); i++) {
                    if (batch.get(i) instanceof Task task) {
                        persist(batch.subList(from, i));
                        task.work().run(storage);
                        from = i + 1;
                    }
                }
                persist(batch.subList(from, batch.size()));
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            running = false;
            onFailure.accept(e);
        } catch (RuntimeException e) {
            running = false;
            log.error("log writer of group {} failed", groupId, e);
            onFailure.accept(new IOException(e));
        }
    }

    private void persist(List<Job> writes) throws IOException {
        if (writes.isEmpty()) {
            return;
        }
        int entries = 0;
        long t0 = System.nanoTime();
        for (Job job : writes) {
            Write w = (Write) job;
            if (w.hardState() != null) {
                storage.saveHardState(w.hardState());
            }
            if (!w.entries().isEmpty()) {
                storage.append(w.entries());
                entries += w.entries().size();
            }
        }
        if (entries > 0) {
            long t1 = System.nanoTime();
            storage.sync();
            listener.onPersist(entries, t1 - t0, System.nanoTime() - t1);
        }
        for (Job job : writes) {
            Write w = (Write) job;
            for (Message m : w.messages()) {
                transport.send(groupId, m);
            }
            w.onDurable().run();
        }
    }

    /** Finishes the writes handed in so far, then stops the thread. */
    @Override
    public void close() throws InterruptedException {
        queue.add(new Task(storage -> running = false));
        thread.join(5_000);
        if (thread.isAlive()) {
            running = false;
            thread.interrupt();
            thread.join(5_000);
        }
    }
}
