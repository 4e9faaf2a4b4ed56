/**
 * Checking recorded concurrent histories for linearizability: {@link
 * io.sinkron.history.LinearizabilityChecker} against a sequential {@link io.sinkron.history.Model}
 * such as {@link io.sinkron.history.RegisterModel}. Used by service tests and fault-injection
 * harnesses to verify what clients observed.
 */
package io.sinkron.history;
