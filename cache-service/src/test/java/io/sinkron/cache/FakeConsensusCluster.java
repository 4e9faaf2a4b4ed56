package io.sinkron.cache;

import com.google.protobuf.ByteString;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.sinkron.client.ChannelFactory;
import io.sinkron.consensus.node.StateMachines;
import io.sinkron.consensus.statemachine.AppliedCommand;
import io.sinkron.consensus.statemachine.StateMachine;
import io.sinkron.consensus.statemachine.StateMachineRegistry;
import io.sinkron.proto.CommandRequest;
import io.sinkron.proto.CommandResponse;
import io.sinkron.proto.Event;
import io.sinkron.proto.LogCommand;
import io.sinkron.proto.ReadRequest;
import io.sinkron.proto.ReadResponse;
import io.sinkron.proto.ResultCode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * A consensus cluster reduced to its replicated state: one log, applied in order to the real state
 * machines (the registry every Sinkron node hosts, with its exactly-once sessions), stamped with a
 * leader clock the test controls. Every {@link FakeNode} serves it over in-process gRPC, so the
 * services under test use the real {@code ConsensusClient}; faults are injected per node.
 */
final class FakeConsensusCluster implements AutoCloseable {

    private final StateMachineRegistry registry = StateMachines.create(3_600_000);
    private final LongSupplier leaderMillis;
    private final List<FakeNode> nodes = new CopyOnWriteArrayList<>();
    private long index;
    private final Object gate = new Object();
    private boolean holding;
    private int held;

    /** @param leaderMillis the leader's clock, stamped on every entry (log time never decreases) */
    FakeConsensusCluster(LongSupplier leaderMillis) {
        this.leaderMillis = leaderMillis;
    }

    /** A node serving this cluster under the in-process name (and address) {@code name:7001}. */
    FakeNode node(String name) {
        var node = new FakeNode(this, name + ":7001").start();
        nodes.add(node);
        return node;
    }

    /** Channels to the nodes, by address: what a {@code ConsensusClient} under test dials. */
    static ChannelFactory channels() {
        return address -> InProcessChannelBuilder.forName(address.toString()).build();
    }

    /**
     * Holds every command that arrives, until {@code held} is false again; counts the commands
     * held, so a test can wait until the writers it started have reached the cluster.
     */
    void holdCommands(boolean held) {
        synchronized (gate) {
            holding = held;
            gate.notifyAll();
        }
    }

    /** Commands waiting at the gate of {@link #holdCommands}. */
    int heldCommands() {
        synchronized (gate) {
            return held;
        }
    }

    CommandResponse submit(CommandRequest request) {
        synchronized (gate) {
            held++;
            try {
                while (holding) {
                    gate.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while held", e);
            } finally {
                held--;
            }
        }
        return append(request);
    }

    private synchronized CommandResponse append(CommandRequest request) {
        LogCommand entry = LogCommand.newBuilder()
                .setClientId(request.getClientId())
                .setSequence(request.getSequence())
                .setAckedSequence(request.getAckedSequence())
                .setStateMachine(request.getStateMachine())
                .setPayload(request.getPayload())
                .setTimestampMillis(leaderMillis.getAsLong())
                .build();
        AppliedCommand applied = append(entry);
        return CommandResponse.newBuilder()
                .setCode(applied.code())
                .setResult(ByteString.copyFrom(applied.result()))
                .setIndex(index)
                .setMessage(applied.message())
                .build();
    }

    /** A leader clock entry: log time moves on, leases and TTLs expire. */
    synchronized void tick() {
        append(LogCommand.newBuilder()
                .setStateMachine(StateMachineRegistry.CLOCK)
                .setTimestampMillis(leaderMillis.getAsLong())
                .build());
    }

    private AppliedCommand append(LogCommand entry) {
        List<Event> events = new ArrayList<>();
        long at = ++index;
        AppliedCommand applied = registry.apply(
                at,
                entry.toByteArray(),
                (stateMachine, eventIndex, payload) -> events.add(Event.newBuilder()
                        .setStateMachine(stateMachine)
                        .setIndex(eventIndex)
                        .setPayload(ByteString.copyFrom(payload))
                        .build()));
        // Published under the lock, so every node sees the events in log order.
        for (FakeNode node : nodes) {
            events.forEach(node::publish);
        }
        return applied;
    }

    synchronized ReadResponse read(ReadRequest request) {
        StateMachine machine = registry.get(request.getStateMachine());
        if (machine == null) {
            return ReadResponse.newBuilder()
                    .setCode(ResultCode.RESULT_CODE_INVALID)
                    .setMessage("unknown state machine")
                    .build();
        }
        return ReadResponse.newBuilder()
                .setResult(ByteString.copyFrom(machine.query(request.getQuery().toByteArray())))
                .setIndex(index)
                .build();
    }

    synchronized long lastIndex() {
        return index;
    }

    @Override
    public void close() {
        nodes.forEach(FakeNode::close);
    }
}
