package io.sinkron.faults;

import java.util.List;
import java.util.function.BooleanSupplier;

/** Concurrent clients of one service, and the check of what they saw. */
interface Workload {

    String name();

    /** Before the clients start, with the cluster healthy (e.g. configure a queue). */
    void setUp() throws Exception;

    /** One client's loop; it must end by {@code deadlineNanos}, or sooner when {@code stop} says so, bounded in count too. */
    void runClient(int client, long deadlineNanos, BooleanSupplier stop);

    /** How many clients to run. */
    int clients();

    /** After the faults were healed and the clients stopped: what must happen once the cluster is whole again. */
    void finish() throws Exception;

    /** The anomalies found in the history; empty when it passed every check. */
    List<String> check();

    /** The figures of this workload for the report. */
    String summary();
}
