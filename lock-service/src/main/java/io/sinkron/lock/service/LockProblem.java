package io.sinkron.lock.service;

import java.util.Map;

/**
 * A request the lock service answers with a problem detail: the kind names the {@code type}, the
 * properties are extra members of the problem document (the deadlock cycle, say).
 */
public final class LockProblem extends RuntimeException {

    private final ProblemKind kind;
    private final transient Map<String, Object> properties;

    public LockProblem(ProblemKind kind, String detail) {
        this(kind, detail, Map.of());
    }

    public LockProblem(ProblemKind kind, String detail, Map<String, Object> properties) {
        super(detail, null, false, false);
        this.kind = kind;
        this.properties = Map.copyOf(properties);
    }

    public ProblemKind kind() {
        return kind;
    }

    public Map<String, Object> properties() {
        return properties;
    }
}
