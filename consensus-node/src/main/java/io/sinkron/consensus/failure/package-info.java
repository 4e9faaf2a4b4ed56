/**
 * Phi-accrual failure detection of peers: {@link
 * io.sinkron.consensus.failure.PhiAccrualFailureDetector} per peer, and {@link
 * io.sinkron.consensus.failure.FailureDetectorRegistry} tracking the cluster and reporting state
 * transitions to a {@link io.sinkron.consensus.failure.FailureListener}.
 */
package io.sinkron.consensus.failure;
