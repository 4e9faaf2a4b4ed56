package io.sinkron.consensus.node;

import io.sinkron.consensus.statemachine.StateMachineRegistry;
import io.sinkron.consensus.statemachine.cache.CacheStateMachine;
import io.sinkron.consensus.statemachine.kv.KvStateMachine;
import io.sinkron.consensus.statemachine.lock.LockStateMachine;
import io.sinkron.consensus.statemachine.queue.QueueStateMachine;

/**
 * The replicated state machines every Sinkron group hosts. The kv state lives in a persistent map
 * and captures itself; locks, queues and the cache directory are graphs of mutable objects, which
 * are snapshotted from a replica on the snapshot thread.
 */
public final class StateMachines {

    private StateMachines() {}

    public static StateMachineRegistry create(long sessionTtlMillis) {
        return new StateMachineRegistry(sessionTtlMillis)
                .register(new KvStateMachine())
                .registerReplicated(LockStateMachine::new)
                .registerReplicated(QueueStateMachine::new)
                .registerReplicated(CacheStateMachine::new);
    }
}
