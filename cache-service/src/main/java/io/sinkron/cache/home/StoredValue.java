package io.sinkron.cache.home;

/** A key's committed value, read without registering a holder. */
public record StoredValue(boolean found, byte[] value, long version) {}
