package io.sinkron.bench;

/**
 * One client's operation as the load's event loop drives it: a conversation of requests and
 * answers on the client's connection, one request in flight. The loop sends {@link #start()},
 * hands each complete answer to {@link #next}, and sends what that returns until it returns
 * {@link #SUCCEEDED} or {@link #FAILED}. An operation counts as completed only when every request
 * in it got the answer it expects. Called on one event-loop thread only, so it may keep state (a
 * receipt, a lock key) between calls without synchronization.
 *
 * @param <A> the parsed answer: {@link HttpResponseParser} or {@link RespReplyParser}
 */
interface Operation<A> {

    /** Returned by {@link #next} when the operation is complete and every answer was as expected. */
    byte[] SUCCEEDED = new byte[0];

    /** Returned by {@link #next} when an answer was not the one expected. */
    byte[] FAILED = new byte[0];

    /** The first request of the next operation (a whole encoded request). */
    byte[] start();

    /** The next request after {@code answer}, or {@link #SUCCEEDED} or {@link #FAILED}. */
    byte[] next(A answer);

    /** An operation of one request answered as {@code expected} says. */
    static <A> Operation<A> single(byte[] request, java.util.function.Predicate<A> expected) {
        return new Operation<>() {
            @Override
            public byte[] start() {
                return request;
            }

            @Override
            public byte[] next(A answer) {
                return expected.test(answer) ? SUCCEEDED : FAILED;
            }
        };
    }
}
