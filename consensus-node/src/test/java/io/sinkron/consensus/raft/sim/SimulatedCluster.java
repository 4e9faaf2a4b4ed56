package io.sinkron.consensus.raft.sim;

import io.sinkron.consensus.raft.ConfChange;
import io.sinkron.consensus.raft.Entry;
import io.sinkron.consensus.raft.EntryType;
import io.sinkron.consensus.raft.Membership;
import io.sinkron.consensus.raft.Message;
import io.sinkron.consensus.raft.RaftConfig;
import io.sinkron.consensus.raft.ReadState;
import io.sinkron.consensus.raft.Ready;
import io.sinkron.consensus.raft.Role;
import io.sinkron.consensus.raft.SnapshotMeta;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A whole Raft cluster in one thread with simulated time, network and disks. Everything random is
 * drawn from one seed, so a failing run replays exactly. Disks write asynchronously, as the
 * driver's log writer does: a Ready's writes complete a few simulated milliseconds later, in
 * order, and only then leave its acknowledgements and votes and reach the core as
 * {@code persisted}; meanwhile the node goes on stepping and applying. A crash loses the writes
 * still in flight, except a random prefix that reached the disk. After every simulated millisecond it
 * checks Election Safety, State Machine Safety and Leader Completeness, and periodically Log
 * Matching (Raft Figure 3).
 */
final class SimulatedCluster {

    static final int TICK_MS = 10;

    private record InFlight(long at, long seq, Message message, Map<String, String> snapshotData) {}

    private record PendingWrite(int opIndex, long term, String command) {}

    private record PendingRead(int opIndex, String key) {}

    final long seed;
    final int heartbeatTicks;
    final int electionTicksMin;
    final int electionTicksMax;
    final SplittableRandom random;
    final Map<String, SimNode> nodes = new TreeMap<>();
    private final PriorityQueue<InFlight> network =
            new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private long messageSeq;
    long now;
    Faults faults;
    /**
     * Serve reads from whichever node the client picked, from its local state, without ReadIndex:
     * a deliberate bug, to show that the history checker catches stale reads.
     */
    boolean unsafeLocalReads;
    /** Take snapshots, compact logs, change membership and transfer leadership during the run. */
    boolean reconfigure;
    /**
     * A leader that has appended nothing for this many milliseconds appends a clock entry, as the
     * driver does so that leases expire without client traffic; 0 turns clock entries off.
     */
    long clockIntervalMs;
    /** Messages lost on purpose, on top of the fault mix's random losses. */
    Predicate<Message> lose = m -> false;

    private int nextNodeNumber;
    int snapshotsInstalled;
    int membershipChanges;
    int transfers;
    /** Crashes that hit a node while it had disk writes in flight. */
    int crashesMidWrite;
    /** Nodes that can talk to each other; null when the network is whole. */
    private Set<String> partitionSide;

    private final Map<Long, String> leaderOfTerm = new HashMap<>();
    private final Map<Long, Entry> appliedEverywhere = new HashMap<>();
    private final Map<String, Role> lastRole = new HashMap<>();
    /** When each leader last appended an entry (a client command or a clock entry). */
    private final Map<String, Long> lastLeaderAppend = new HashMap<>();

    final List<SimOp> history = new ArrayList<>();
    /** Writes acknowledged to a client: index and the command's bytes. */
    final Map<Long, String> acknowledged = new HashMap<>();

    private final Map<String, Map<Long, PendingWrite>> pendingWrites = new HashMap<>();
    private final Map<String, Map<Long, PendingRead>> pendingReads = new HashMap<>();
    private long readContext;
    private long opCounter;
    final Map<String, Integer> clientBusyWith = new HashMap<>();
    private final Map<String, Long> clientDeadline = new HashMap<>();
    private final Map<String, Integer> clientGeneration = new HashMap<>();

    SimulatedCluster(long seed, int size, Faults faults) {
        this(seed, size, faults, 1, 10, 20);
    }

    /** A cluster whose nodes use the given heartbeat and election timeouts, in ticks of {@link #TICK_MS}. */
    SimulatedCluster(
            long seed, int size, Faults faults, int heartbeatTicks, int electionTicksMin, int electionTicksMax) {
        this.heartbeatTicks = heartbeatTicks;
        this.electionTicksMin = electionTicksMin;
        this.electionTicksMax = electionTicksMax;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.faults = faults;
        var voters = new TreeMap<String, String>();
        for (int i = 1; i <= size; i++) {
            voters.put("n" + i, "sim:" + i);
        }
        var membership = new Membership(voters, Map.of());
        for (String id : voters.keySet()) {
            addNode(id, membership);
        }
        nextNodeNumber = size + 1;
    }

    private SimNode addNode(String id, Membership bootstrap) {
        var config = new RaftConfig(
                id, heartbeatTicks, electionTicksMin, electionTicksMax, true, true, 8, 64 * 1024, 4 * 1024);
        var node = new SimNode(id, config, bootstrap, random.split());
        nodes.put(id, node);
        pendingWrites.put(id, new HashMap<>());
        pendingReads.put(id, new HashMap<>());
        return node;
    }

    // ---- time --------------------------------------------------------------------------------

    void runFor(long millis, boolean withClients, boolean withFaults) {
        long end = now + millis;
        while (now < end) {
            now++;
            deliverDue();
            completeDiskWrites();
            if (now % TICK_MS == 0) {
                for (SimNode n : nodes.values()) {
                    if (n.up && !n.paused) {
                        n.raft.tick();
                    }
                }
                writeClockEntries();
            }
            if (withFaults) {
                injectFaults();
            }
            if (reconfigure) {
                reconfigureStep(withClients);
            }
            if (withClients) {
                runClients();
            }
            processAll();
            checkSafety();
            if (now % 100 == 0) {
                checkLogMatching();
            }
        }
    }

    private void processAll() {
        boolean progress = true;
        while (progress) {
            progress = false;
            for (SimNode n : nodes.values()) {
                if (n.up && !n.paused && n.raft.hasReady()) {
                    handleReady(n);
                    progress = true;
                }
            }
        }
    }

    private void handleReady(SimNode n) {
        Ready rd = n.raft.ready();
        var afterWrite = new ArrayList<Message>();
        for (Message m : rd.messages()) {
            if (Ready.isSendableBeforePersist(m) || m instanceof Message.SnapshotRequest) {
                send(m);
            } else {
                afterWrite.add(m);
            }
        }
        if (rd.snapshot() != null) {
            SnapshotMeta meta = rd.snapshot();
            var data = n.incomingSnapshots.remove(meta.index() + ":" + meta.term());
            if (data == null) {
                fail(n.id + " was told to install snapshot " + meta.index() + " it never received");
            }
            checkSnapshotContent(n.id, meta, data);
            n.installSnapshot(meta, data, now);
            snapshotsInstalled++;
        }
        boolean writes = rd.hardState() != null || !rd.entries().isEmpty();
        if (writes || (!afterWrite.isEmpty() && !n.disk.isEmpty())) {
            long due = Math.max(n.lastDiskDue, now + random.nextInt(1 + faults.maxDiskMs()));
            n.lastDiskDue = due;
            n.disk.add(new SimNode.DiskWrite(due, rd.hardState(), rd.entries(), afterWrite, rd.generation(), false));
        } else {
            afterWrite.forEach(this::send);
        }
        for (Entry e : rd.committedEntries()) {
            String result = n.stateMachine.apply(e);
            Entry previous = appliedEverywhere.putIfAbsent(e.index(), e);
            if (previous != null && !previous.equals(e)) {
                fail("State Machine Safety: " + n.id + " applied " + e + " where another node applied " + previous);
            }
            PendingWrite w = pendingWrites.get(n.id).remove(e.index());
            if (w != null) {
                boolean ours = e.term() == w.term() && new String(e.data(), StandardCharsets.UTF_8).equals(w.command());
                completeWrite(w, ours ? result : null, e.index());
            }
        }
        for (ReadState rs : rd.readStates()) {
            if (n.stateMachine.applied < rs.index()) {
                fail("read index " + rs.index() + " above applied " + n.stateMachine.applied + " on " + n.id);
            }
            PendingRead r = pendingReads.get(n.id).remove(rs.context());
            if (r != null) {
                complete(r.opIndex(), n.stateMachine.read(r.key()));
            }
        }
        n.raft.advanceApplied(rd);
    }

    /** Writes whose time has come become durable, in order; then their messages leave. */
    private void completeDiskWrites() {
        for (SimNode n : nodes.values()) {
            while (n.up && !n.paused && !n.disk.isEmpty() && n.disk.peek().dueAt() <= now) {
                if (faults.tornWriteRate() > 0 && random.nextDouble() < faults.tornWriteRate()) {
                    // Power cut in the middle of the write: a prefix of the batch reached the disk.
                    crash(n);
                    break;
                }
                SimNode.DiskWrite w = n.disk.poll();
                n.land(w);
                w.messages().forEach(this::send);
                if (!w.entries().isEmpty()) {
                    Entry last = w.entries().getLast();
                    n.raft.persisted(last.index(), last.term(), w.generation());
                }
            }
        }
    }

    /** What the driver's clock does: an idle leader writes its time into the log. */
    private void writeClockEntries() {
        if (clockIntervalMs <= 0) {
            return;
        }
        for (SimNode n : nodes.values()) {
            if (n.up
                    && !n.paused
                    && n.raft.role() == Role.LEADER
                    && now - lastLeaderAppend.getOrDefault(n.id, 0L) >= clockIntervalMs) {
                lastLeaderAppend.put(n.id, now);
                n.raft.propose(EntryType.COMMAND, ("0|clock|" + now).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    // ---- network -----------------------------------------------------------------------------

    private void send(Message m) {
        Map<String, String> snapshotData = null;
        if (m instanceof Message.SnapshotRequest sr) {
            SimNode from = nodes.get(m.from());
            if (from.durableSnapshot.index() < sr.snapshot().index()) {
                fail(m.from() + " sent snapshot " + sr.snapshot().index() + " but holds "
                        + from.durableSnapshot.index());
            }
            // As the driver does: ship the newest snapshot on disk, which may be newer than the one
            // the core named when it decided to send one.
            m = new Message.SnapshotRequest(sr.from(), sr.to(), sr.term(), from.durableSnapshot);
            snapshotData = from.durableSnapshotData;
        }
        if (lose.test(m) || random.nextDouble() < faults.dropRate()) {
            reportSnapshot(m, false);
            return;
        }
        int copies = random.nextDouble() < faults.duplicateRate() ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long delay = 1 + random.nextInt(faults.maxDelayMs()) + (snapshotData != null ? random.nextInt(50) : 0);
            network.add(new InFlight(now + delay, messageSeq++, m, snapshotData));
        }
    }

    /** The sender's transport reports whether a snapshot arrived (the driver does the same). */
    private void reportSnapshot(Message m, boolean delivered) {
        if (m instanceof Message.SnapshotRequest) {
            SimNode from = nodes.get(m.from());
            if (from.up) {
                // A paused process still gets its transport's callback once it resumes; only a
                // crash loses it (and the leader's progress with it).
                from.raft.reportSnapshot(m.to(), delivered);
            }
        }
    }

    private void deliverDue() {
        while (!network.isEmpty() && network.peek().at() <= now) {
            InFlight f = network.poll();
            Message m = f.message();
            SimNode to = nodes.get(m.to());
            if (to == null || !to.up || to.paused || !connected(m.from(), m.to())) {
                reportSnapshot(m, false);
                continue;
            }
            if (m instanceof Message.SnapshotRequest sr) {
                to.incomingSnapshots.put(
                        sr.snapshot().index() + ":" + sr.snapshot().term(), f.snapshotData());
            }
            to.raft.step(m);
            reportSnapshot(m, true);
        }
    }

    private boolean connected(String a, String b) {
        return partitionSide == null || partitionSide.contains(a) == partitionSide.contains(b);
    }

    // ---- faults ------------------------------------------------------------------------------

    private void injectFaults() {
        if (faults.partitions() && random.nextInt(1500) == 0) {
            if (partitionSide == null) {
                var side = new HashSet<String>();
                for (String id : nodes.keySet()) {
                    if (random.nextBoolean()) {
                        side.add(id);
                    }
                }
                partitionSide = side;
            } else {
                partitionSide = null;
            }
        }
        if (faults.crashes() && random.nextInt(1000) == 0) {
            SimNode n = pick();
            if (n.up) {
                crash(n);
            } else {
                n.restart(random.split());
            }
        }
        if (faults.crashes() && random.nextInt(300) == 0) {
            for (SimNode n : nodes.values()) {
                if (!n.up && random.nextInt(3) == 0) {
                    n.restart(random.split());
                }
            }
        }
        if (faults.pauses() && random.nextInt(1500) == 0) {
            SimNode n = pick();
            n.paused = !n.paused;
        }
    }

    private SimNode pick() {
        var list = new ArrayList<>(nodes.values());
        return list.get(random.nextInt(list.size()));
    }

    void crash(SimNode n) {
        if (!n.disk.isEmpty()) {
            crashesMidWrite++;
        }
        n.crash(random);
        // Operations waiting on this node never learn their outcome: they stay open in the history.
        pendingWrites.get(n.id).clear();
        pendingReads.get(n.id).clear();
    }

    void heal() {
        partitionSide = null;
        for (SimNode n : nodes.values()) {
            if (!n.up) {
                n.restart(random.split());
            }
            n.paused = false;
        }
        faults = new Faults(0, 0, faults.maxDelayMs(), false, false, false, 0, faults.maxDiskMs());
    }

    // ---- snapshots, membership, leader transfer ------------------------------------------------

    private void reconfigureStep(boolean operatorActive) {
        for (SimNode n : nodes.values()) {
            if (n.up && !n.paused && random.nextInt(400) == 0) {
                n.takeSnapshot(random.nextInt(6));
            }
        }
        String leaderId = leader();
        if (leaderId == null) {
            return;
        }
        var leader = nodes.get(leaderId).raft;
        for (String learner : leader.membership().autoPromote()) {
            // What the driver does: promote a learner once it holds everything committed.
            if (leader.matchIndex(learner) >= leader.commitIndex()) {
                if (leader.proposeConfChange(new ConfChange.Promote(learner)).accepted()) {
                    membershipChanges++;
                }
            }
        }
        if (!operatorActive || random.nextInt(700) != 0) {
            return;
        }
        var members = new ArrayList<>(leader.membership().members());
        switch (random.nextInt(3)) {
            case 0 -> {
                if (members.size() < 6) {
                    String id = "n" + nextNodeNumber;
                    if (leader.proposeConfChange(new ConfChange.AddLearner(id, "sim:" + id, random.nextInt(4) > 0))
                            .accepted()) {
                        nextNodeNumber++;
                        addNode(id, Membership.EMPTY);
                        membershipChanges++;
                    }
                }
            }
            case 1 -> {
                String victim = members.get(random.nextInt(members.size()));
                if (leader.membership().voters().size() > 2
                        || !leader.membership().isVoter(victim)) {
                    if (leader.proposeConfChange(new ConfChange.Remove(victim)).accepted()) {
                        membershipChanges++;
                    }
                }
            }
            default -> {
                var voters = new ArrayList<>(leader.membership().voters().keySet());
                String target = random.nextBoolean() ? voters.get(random.nextInt(voters.size())) : null;
                if (leader.transferLeadership(target) == null) {
                    transfers++;
                }
            }
        }
    }

    /** A snapshot must equal the state reached by applying the committed log up to its index. */
    private void checkSnapshotContent(String node, SnapshotMeta meta, Map<String, String> data) {
        var reference = new SimStateMachine();
        for (long i = 1; i <= meta.index(); i++) {
            Entry e = appliedEverywhere.get(i);
            if (e == null) {
                fail("snapshot " + meta.index() + " for " + node + " covers index " + i + " that nobody applied");
            }
            reference.apply(e);
        }
        if (!reference.copy().equals(data)) {
            fail("snapshot " + meta.index() + " for " + node + " differs from the committed log's state");
        }
    }

    // ---- clients -----------------------------------------------------------------------------

    private void runClients() {
        for (int c = 0; c < 3; c++) {
            String client = "c" + c;
            Integer busy = clientBusyWith.get(client);
            if (busy != null && now < clientDeadline.get(client)) {
                continue;
            }
            if (busy != null) {
                // The client gives up: the operation stays open, and the client carries on as a new
                // process so that the history stays sequential per process.
                clientGeneration.merge(client, 1, Integer::sum);
                clientBusyWith.remove(client);
            }
            if (random.nextInt(20) != 0) {
                continue;
            }
            invoke(client);
        }
    }

    private void invoke(String client) {
        SimNode n = pick();
        if (unsafeLocalReads && n.up && !n.paused && random.nextBoolean()) {
            String process = client + "#" + clientGeneration.getOrDefault(client, 0);
            String key = "k" + random.nextInt(3);
            history.add(new SimOp(process, key, "get", null, null, n.stateMachine.read(key), now, now));
            return;
        }
        if (!n.up || n.paused || n.raft.role() != Role.LEADER) {
            return;
        }
        String process = client + "#" + clientGeneration.getOrDefault(client, 0);
        String key = "k" + random.nextInt(3);
        int kind = random.nextInt(3);
        int opIndex = history.size();
        if (kind == 0) {
            long ctx = ++readContext;
            if (!n.raft.readIndex(ctx)) {
                return;
            }
            history.add(new SimOp(process, key, "get", null, null, null, now, Long.MAX_VALUE));
            pendingReads.get(n.id).put(ctx, new PendingRead(opIndex, key));
        } else {
            long op = ++opCounter;
            String value = "v" + op;
            String expected = "v" + random.nextLong(Math.max(1, op));
            String command =
                    kind == 1 ? op + "|put|" + key + "|" + value : op + "|cas|" + key + "|" + expected + "|" + value;
            long index = n.raft.propose(EntryType.COMMAND, command.getBytes(StandardCharsets.UTF_8));
            if (index < 0) {
                return;
            }
            lastLeaderAppend.put(n.id, now);
            history.add(new SimOp(
                    process,
                    key,
                    kind == 1 ? "put" : "cas",
                    value,
                    kind == 1 ? null : expected,
                    null,
                    now,
                    Long.MAX_VALUE));
            pendingWrites.get(n.id).put(index, new PendingWrite(opIndex, n.raft.term(), command));
        }
        clientBusyWith.put(client, opIndex);
        clientDeadline.put(client, now + 400);
    }

    private void completeWrite(PendingWrite w, String result, long index) {
        if (result == null) {
            // Another entry took this index: ours can never commit, so it definitely failed.
            history.set(w.opIndex(), null);
            release(w.opIndex());
            return;
        }
        acknowledged.put(index, w.command());
        complete(w.opIndex(), result);
    }

    private void complete(int opIndex, String output) {
        SimOp op = history.get(opIndex);
        history.set(
                opIndex,
                new SimOp(op.process(), op.key(), op.kind(), op.value(), op.expected(), output, op.invokedAt(), now));
        release(opIndex);
    }

    private void release(int opIndex) {
        clientBusyWith.values().remove(opIndex);
    }

    // ---- safety ------------------------------------------------------------------------------

    private void checkSafety() {
        for (SimNode n : nodes.values()) {
            if (!n.up) {
                lastRole.remove(n.id);
                continue;
            }
            Role role = n.raft.role();
            if (role == Role.LEADER) {
                long term = n.raft.term();
                String existing = leaderOfTerm.putIfAbsent(term, n.id);
                if (existing != null && !existing.equals(n.id)) {
                    fail("Election Safety: " + existing + " and " + n.id + " both led term " + term);
                }
                if (lastRole.get(n.id) != Role.LEADER) {
                    checkLeaderCompleteness(n);
                }
            }
            lastRole.put(n.id, role);
        }
    }

    /** Raft §5.4: a new leader holds every entry any node has applied (applied implies committed). */
    private void checkLeaderCompleteness(SimNode leader) {
        for (var e : appliedEverywhere.entrySet()) {
            long index = e.getKey();
            if (index <= leader.raft.snapshotIndex()) {
                continue;
            }
            if (leader.raft.termAt(index) != e.getValue().term()) {
                fail("Leader Completeness: leader " + leader.id + " of term " + leader.raft.term() + " lacks committed "
                        + e.getValue());
            }
        }
    }

    /** Raft §5.3: two logs with an entry of the same index and term are identical up to it. */
    void checkLogMatching() {
        var up = nodes.values().stream().filter(n -> n.up).toList();
        for (int i = 0; i < up.size(); i++) {
            for (int j = i + 1; j < up.size(); j++) {
                var a = up.get(i).raft;
                var b = up.get(j).raft;
                long floor = Math.max(a.snapshotIndex(), b.snapshotIndex());
                long k = Math.min(a.lastIndex(), b.lastIndex());
                while (k > floor && a.termAt(k) != b.termAt(k)) {
                    k--;
                }
                for (long x = k; x > floor; x--) {
                    if (!a.entryAt(x).equals(b.entryAt(x))) {
                        fail("Log Matching: " + up.get(i).id + " and " + up.get(j).id + " agree at " + k
                                + " but differ at " + x);
                    }
                }
            }
        }
    }

    /** Every write acknowledged to a client is in every node's committed log. */
    void checkNoAcknowledgedWriteLost() {
        for (var ack : acknowledged.entrySet()) {
            long index = ack.getKey();
            Entry applied = appliedEverywhere.get(index);
            if (applied == null || !new String(applied.data(), StandardCharsets.UTF_8).equals(ack.getValue())) {
                fail("acknowledged write at " + index + " is not what the cluster applied there");
            }
            for (SimNode n : members()) {
                if (n.raft.commitIndex() < index) {
                    fail("acknowledged write at " + index + " not committed on " + n.id + " (commit "
                            + n.raft.commitIndex() + ")");
                }
                if (index <= n.raft.snapshotIndex()) {
                    continue;
                }
                String data = new String(n.raft.entryAt(index).data(), StandardCharsets.UTF_8);
                if (!data.equals(ack.getValue())) {
                    fail("acknowledged write at " + index + " lost on " + n.id + ": holds " + data);
                }
            }
        }
    }

    /** The nodes of the current leader's configuration (all nodes when there is no leader). */
    List<SimNode> members() {
        String leaderId = leader();
        if (leaderId == null) {
            return List.copyOf(nodes.values());
        }
        var membership = nodes.get(leaderId).raft.membership();
        return nodes.values().stream().filter(n -> membership.contains(n.id)).toList();
    }

    String leader() {
        for (SimNode n : nodes.values()) {
            if (n.up && n.raft.role() == Role.LEADER) {
                return n.id;
            }
        }
        return null;
    }

    /** The test and properties that replay this run, for failure reports; null for ClusterSimulationTest. */
    String replay;

    void fail(String what) {
        String at = what + " at t=" + now + "ms";
        throw replay == null ? new SimulationFailure(seed, at) : new SimulationFailure(seed, at, replay);
    }
}
