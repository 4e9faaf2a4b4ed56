package io.sinkron.consensus.raft;

/** Volatile state the driver reports and reacts to (metrics, failing pending proposals). */
public record SoftState(Role role, String leaderId, long term) {}
