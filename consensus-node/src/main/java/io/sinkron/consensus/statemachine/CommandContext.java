package io.sinkron.consensus.statemachine;

/**
 * What a state machine may know about the command it applies.
 *
 * @param index the log index of the command (a fencing token, for example, is this index)
 * @param timestampMillis the leader's clock when it proposed the command; never decreases along
 *     the log, identical on every replica
 * @param clientId the session that sent the command
 * @param events where the state machine publishes events for subscribers (grants, invalidations)
 */
public record CommandContext(long index, long timestampMillis, String clientId, EventSink events) {}
