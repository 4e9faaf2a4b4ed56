package io.sinkron.consensus.statemachine.cache;

import com.google.protobuf.ByteString;

/**
 * A key's committed value.
 *
 * @param version the log index of the write that produced it
 * @param expiresAtMillis log time at which its TTL runs out, 0 for never
 */
record CachedValue(ByteString value, long version, long expiresAtMillis) {}
