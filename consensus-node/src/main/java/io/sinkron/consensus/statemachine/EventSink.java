package io.sinkron.consensus.statemachine;

/** Receives the events a state machine emits while applying a command. */
@FunctionalInterface
public interface EventSink {

    EventSink NONE = (stateMachine, index, payload) -> {};

    void emit(String stateMachine, long index, byte[] payload);
}
