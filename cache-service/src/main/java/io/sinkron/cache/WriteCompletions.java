package io.sinkron.cache;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Delivers the home's "write applied" events to the writes waiting for them. A writer starts
 * watching its key before it submits, so an event that overtakes the submit's answer is not missed.
 */
final class WriteCompletions {

    private final ConcurrentHashMap<String, Set<Watch>> watches = new ConcurrentHashMap<>();

    /** Starts recording the applied writes of {@code key}; close the watch when done. */
    Watch watch(String key) {
        var watch = new Watch(key);
        watches.compute(key, (k, set) -> {
            Set<Watch> result = set == null ? ConcurrentHashMap.newKeySet() : set;
            result.add(watch);
            return result;
        });
        return watch;
    }

    /** Write {@code version} of {@code key} took effect. */
    void applied(String key, long version) {
        Set<Watch> set = watches.get(key);
        if (set != null) {
            set.forEach(watch -> watch.applied(version));
        }
    }

    /** The applied writes of one key seen since the watch started. */
    final class Watch implements AutoCloseable {

        private final String key;
        private final Set<Long> applied = ConcurrentHashMap.newKeySet();

        private Watch(String key) {
            this.key = key;
        }

        private synchronized void applied(long version) {
            applied.add(version);
            notifyAll();
        }

        /**
         * Waits up to {@code timeoutNanos} for write {@code version} to be reported applied.
         *
         * @return whether it was
         */
        synchronized boolean await(long version, long timeoutNanos) throws InterruptedException {
            long end = System.nanoTime() + timeoutNanos;
            while (!applied.contains(version)) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }

        @Override
        public void close() {
            watches.computeIfPresent(key, (k, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
        }
    }
}
