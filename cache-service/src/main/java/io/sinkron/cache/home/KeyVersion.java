package io.sinkron.cache.home;

/** A write of a key, named by its version. */
public record KeyVersion(String key, long version) {}
