/**
 * The bad-input fuzzing kit the services' tests share: {@link io.sinkron.fuzz.RawHttp}, a client
 * that sends exactly the bytes it is given and bounds every exchange; {@link
 * io.sinkron.fuzz.BadInput} and {@link io.sinkron.fuzz.BadRequests}, jqwik generators of requests
 * that are bad by construction; {@link io.sinkron.fuzz.Problems}, the oracle (a 4xx problem detail
 * and no change of state); and the jqwik hooks that give a property its Spring test context and its
 * number of tries ({@code -Dsinkron.fuzz.tries}).
 */
package io.sinkron.fuzz;
