package io.sinkron.queue.service;

import io.sinkron.client.ConsensusException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Reads every queue's counts from the cluster now and then, for the gauges of {@link QueueMetrics}. */
@Component
class QueueStatsRefresh {

    private static final Logger log = LoggerFactory.getLogger(QueueStatsRefresh.class);

    private final ReplicatedQueues queues;
    private final QueueMetrics metrics;

    QueueStatsRefresh(ReplicatedQueues queues, QueueMetrics metrics) {
        this.queues = queues;
        this.metrics = metrics;
    }

    @Scheduled(fixedDelayString = "${sinkron.queue.metrics-refresh:5s}")
    void refresh() {
        try {
            metrics.refresh(queues.listStale());
        } catch (ConsensusException e) {
            // The gauges keep their last values; readiness reports the cluster's trouble.
            log.debug("could not refresh queue gauges: {}", e.getMessage());
        }
    }
}
