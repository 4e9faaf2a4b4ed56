package io.sinkron.consensus.node;

import io.sinkron.consensus.statemachine.StateMachineRegistry;
import io.sinkron.consensus.statemachine.cache.CacheStateMachine;
import io.sinkron.consensus.statemachine.kv.KvStateMachine;
import io.sinkron.consensus.statemachine.lock.LockStateMachine;
import io.sinkron.consensus.statemachine.queue.QueueStateMachine;

/** The replicated state machines every Sinkron group hosts. */
public final class StateMachines {

    private StateMachines() {}

    public static StateMachineRegistry create(long sessionTtlMillis) {
        return new StateMachineRegistry(sessionTtlMillis)
                .register(new KvStateMachine())
                .register(new LockStateMachine())
                .register(new QueueStateMachine())
                .register(new CacheStateMachine());
    }
}
