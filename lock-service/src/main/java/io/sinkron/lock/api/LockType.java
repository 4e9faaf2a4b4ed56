package io.sinkron.lock.api;

import com.fasterxml.jackson.annotation.JsonValue;
import io.sinkron.proto.LockMode;
import java.util.Locale;

/** How a lock is held: {@code shared} holders coexist, an {@code exclusive} holder is alone. */
public enum LockType {
    EXCLUSIVE(LockMode.LOCK_MODE_EXCLUSIVE),
    SHARED(LockMode.LOCK_MODE_SHARED);

    private final LockMode mode;

    LockType(LockMode mode) {
        this.mode = mode;
    }

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    LockMode mode() {
        return mode;
    }

    static LockType of(LockMode mode) {
        return mode == LockMode.LOCK_MODE_SHARED ? SHARED : EXCLUSIVE;
    }
}
