package io.sinkron.consensus.node;

import io.sinkron.consensus.statemachine.StateMachineRegistry;
import io.sinkron.consensus.statemachine.cache.CacheStateMachine;
import io.sinkron.consensus.statemachine.kv.KvStateMachine;

/** The replicated state machines every Sinkron group hosts. */
public final class StateMachines {

    private StateMachines() {}

    public static StateMachineRegistry create(long sessionTtlMillis) {
        return new StateMachineRegistry(sessionTtlMillis)
                .register(new KvStateMachine())
                .register(new CacheStateMachine());
    }
}
