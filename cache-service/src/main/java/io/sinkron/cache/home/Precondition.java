package io.sinkron.cache.home;

/** The condition under which a write happens (HTTP {@code If-Match}). */
public sealed interface Precondition {

    /** Unconditional. */
    record None() implements Precondition {}

    /** Only if the key's current version is {@code version}. */
    record Version(long version) implements Precondition {}

    /** Only if the key exists ({@code If-Match: *}). */
    record Exists() implements Precondition {}

    Precondition NONE = new None();
}
