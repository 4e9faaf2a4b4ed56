package io.sinkron.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The kv closed loop against stand-in targets that answer later, at once, never, or with an error. */
class ClosedLoopTest {

    private final ScheduledExecutorService answers = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        answers.shutdownNow();
    }

    private static ClosedLoop.Settings settings(int clients, Duration opTimeout) {
        return new ClosedLoop.Settings(
                clients, Duration.ofMillis(100), Duration.ofMillis(500), 1_000_000, 100, 50, opTimeout, 1);
    }

    /** Answers each put after 100 µs on another thread, counting how many are outstanding at most. */
    private static final class CountingTarget implements KvTarget {
        final AtomicInteger outstanding = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        final AtomicInteger puts = new AtomicInteger();
        final ScheduledExecutorService answers;

        CountingTarget(ScheduledExecutorService answers) {
            this.answers = answers;
        }

        @Override
        public CompletableFuture<?> put(byte[] key, byte[] value) {
            puts.incrementAndGet();
            most.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
            var reply = new CompletableFuture<Void>();
            answers.schedule(
                    () -> {
                        outstanding.decrementAndGet();
                        reply.complete(null);
                    },
                    100,
                    TimeUnit.MICROSECONDS);
            return reply;
        }

        @Override
        public void close() {}
    }

    @Test
    void when_puts_are_answered_then_no_client_has_more_than_one_outstanding() throws Exception {
        var target = new CountingTarget(answers);

        LoadResult r = new ClosedLoop(target, settings(8, Duration.ofSeconds(5))).run("stand-in", phase -> {});

        assertThat(r.ops()).isPositive();
        assertThat(r.errors()).isZero();
        assertThat(target.most.get()).isGreaterThan(1).isLessThanOrEqualTo(8);
        assertThat(r.latencies().getMinValue()).isGreaterThanOrEqualTo(TimeUnit.MICROSECONDS.toNanos(100));
    }

    @Test
    void when_puts_complete_at_once_then_the_loop_neither_overflows_its_stack_nor_stalls() throws Exception {
        KvTarget immediate = new KvTarget() {
            @Override
            public CompletableFuture<?> put(byte[] key, byte[] value) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void close() {}
        };

        LoadResult r = new ClosedLoop(immediate, settings(2, Duration.ofSeconds(5))).run("stand-in", phase -> {});

        assertThat(r.errors()).isZero();
        assertThat(r.ops()).isGreaterThan(1_000);
    }

    @Test
    void when_puts_fail_or_never_answer_then_they_count_as_errors_and_the_loop_ends() throws Exception {
        var calls = new AtomicInteger();
        KvTarget broken = new KvTarget() {
            @Override
            public CompletableFuture<?> put(byte[] key, byte[] value) {
                return calls.incrementAndGet() % 2 == 0
                        ? CompletableFuture.failedFuture(new IllegalStateException("refused"))
                        : new CompletableFuture<>();
            }

            @Override
            public void close() {}
        };

        LoadResult r = new ClosedLoop(broken, settings(4, Duration.ofMillis(50))).run("stand-in", phase -> {});

        assertThat(r.ops()).isZero();
        assertThat(r.errors()).isPositive();
        // Each failure pauses its client 10 ms, so 4 clients make at most a few hundred calls in 0.6 s.
        assertThat(calls.get()).isLessThan(1_000);
    }
}
