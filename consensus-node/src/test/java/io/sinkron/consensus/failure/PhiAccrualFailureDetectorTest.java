package io.sinkron.consensus.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PhiAccrualFailureDetectorTest {

    private static final FailureDetectorConfig DEFAULTS = FailureDetectorConfig.defaults();

    /** Sends {@code count} heartbeats {@code interval} apart, the first one at {@code start}; returns the last time. */
    private static long beat(PhiAccrualFailureDetector detector, long start, int count, long interval) {
        long now = start;
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                now += interval;
            }
            detector.heartbeat(now);
        }
        return now;
    }

    private static FailureDetectorConfig config(int windowSize, int minSamples, long minStd, long pause) {
        return new FailureDetectorConfig(8.0, 4.0, windowSize, minSamples, minStd, pause, 100);
    }

    @Test
    void steadyHeartbeatsKeepPhiLow() {
        var detector = new PhiAccrualFailureDetector(DEFAULTS, 0);
        long last = beat(detector, 0, 21, 100);

        assertThat(detector.sampleCount()).isEqualTo(20);
        assertThat(detector.meanIntervalMillis()).isEqualTo(100.0);
        assertThat(detector.phi(last)).isLessThan(0.05);
        // At exactly the mean interval phi = -log10(1/2).
        assertThat(detector.phi(last + 100)).isCloseTo(Math.log10(2), within(1e-3));
        assertThat(DEFAULTS.classify(detector.phi(last + 150))).isEqualTo(PeerState.ALIVE);
    }

    @Test
    void phiGrowsMonotonicallyWhileThePeerIsSilentAndStaysFinite() {
        var detector = new PhiAccrualFailureDetector(DEFAULTS, 0);
        long last = beat(detector, 0, 21, 100);

        double previous = detector.phi(last);
        for (long t = last + 1; t <= last + 10_000; t++) {
            double phi = detector.phi(t);
            assertThat(phi).isFinite().isGreaterThanOrEqualTo(previous);
            previous = phi;
        }
        assertThat(previous).isGreaterThan(DEFAULTS.phiThreshold());
        // Strictly increasing where it matters, around the thresholds.
        assertThat(detector.phi(last + 301)).isGreaterThan(detector.phi(last + 300));
    }

    @Test
    void crossesSuspectThenFailureThresholdAtTheExpectedDelays() {
        var detector = new PhiAccrualFailureDetector(DEFAULTS, 0);
        long last = beat(detector, 0, 21, 100);

        // mean 100 ms, std floored at 50 ms: phi reaches 4 about 3.8 std and 8 about 5.1 std after the mean.
        assertThat(DEFAULTS.classify(detector.phi(last + 250))).isEqualTo(PeerState.ALIVE);
        assertThat(DEFAULTS.classify(detector.phi(last + 320))).isEqualTo(PeerState.SUSPECTED);
        assertThat(DEFAULTS.classify(detector.phi(last + 400))).isEqualTo(PeerState.FAILED);
    }

    @Test
    void peerIsNotJudgedBeforeItsFirstHeartbeatWhichRecordsNoInterval() {
        var detector = new PhiAccrualFailureDetector(DEFAULTS, 1_000);

        assertThat(detector.lastHeartbeatMillis()).isEmpty();
        assertThat(detector.phi(1_050)).isZero();
        assertThat(detector.phi(1_000_000)).as("no evidence, however long").isZero();

        detector.heartbeat(1_200);
        assertThat(detector.sampleCount()).isZero();
        assertThat(detector.lastHeartbeatMillis()).hasValue(1_200);
        assertThat(DEFAULTS.classify(detector.phi(1_250))).isEqualTo(PeerState.ALIVE);
        // Once heard from, silence counts from that heartbeat.
        assertThat(DEFAULTS.classify(detector.phi(2_200))).isEqualTo(PeerState.FAILED);
    }

    @Test
    void usesTheBootstrapEstimateUntilMinSamplesIntervalsAreKnown() {
        var detector = new PhiAccrualFailureDetector(config(100, 5, 50, 0), 0);
        long last = beat(detector, 0, 5, 300);

        assertThat(detector.sampleCount()).isEqualTo(4);
        assertThat(detector.bootstrapped()).isFalse();
        assertThat(detector.meanIntervalMillis()).isEqualTo(100.0);
        // Bootstrap deviation is a quarter of the expected interval, floored at the minimum.
        assertThat(detector.stdDeviationMillis()).isEqualTo(50.0);
        double phiBootstrapped = detector.phi(last + 300);
        assertThat(phiBootstrapped).isGreaterThan(4.0);

        detector.heartbeat(last + 300);
        assertThat(detector.bootstrapped()).isTrue();
        assertThat(detector.meanIntervalMillis()).isEqualTo(300.0);
        assertThat(detector.phi(last + 600)).isCloseTo(Math.log10(2), within(1e-3));
    }

    @Test
    void bootstrapDeviationIsAQuarterOfTheExpectedIntervalWhenAboveTheMinimum() {
        var config = new FailureDetectorConfig(8.0, 4.0, 100, 5, 10, 0, 1_000);
        var detector = new PhiAccrualFailureDetector(config, 0);

        assertThat(detector.meanIntervalMillis()).isEqualTo(1_000.0);
        assertThat(detector.stdDeviationMillis()).isEqualTo(250.0);
    }

    @Test
    void windowSlidesOverTheMostRecentIntervals() {
        // A large deviation floor keeps phi low, so every interval is recorded.
        var detector = new PhiAccrualFailureDetector(config(4, 1, 1_000, 0), 0);
        long last = beat(detector, 0, 5, 100);
        assertThat(detector.sampleCount()).isEqualTo(4);
        assertThat(detector.meanIntervalMillis()).isEqualTo(100.0);

        last = beat(detector, last + 200, 2, 200);
        assertThat(detector.sampleCount()).isEqualTo(4);
        assertThat(detector.meanIntervalMillis()).isEqualTo(150.0);

        beat(detector, last + 200, 2, 200);
        assertThat(detector.sampleCount()).isEqualTo(4);
        assertThat(detector.meanIntervalMillis()).isEqualTo(200.0);
    }

    @Test
    void jitteryHeartbeatsAreToleratedLongerThanRegularOnes() {
        var config = config(100, 10, 10, 0);
        var regular = new PhiAccrualFailureDetector(config, 0);
        var jittery = new PhiAccrualFailureDetector(config, 0);
        long regularLast = beat(regular, 0, 41, 100);
        long jitteryLast = 0;
        jittery.heartbeat(0);
        for (int i = 0; i < 40; i++) {
            jitteryLast += i % 2 == 0 ? 40 : 160;
            jittery.heartbeat(jitteryLast);
        }

        assertThat(jittery.meanIntervalMillis()).isEqualTo(regular.meanIntervalMillis());
        assertThat(jittery.stdDeviationMillis()).isEqualTo(60.0);
        assertThat(regular.stdDeviationMillis()).isEqualTo(10.0);
        double regularPhi = regular.phi(regularLast + 250);
        double jitteryPhi = jittery.phi(jitteryLast + 250);
        assertThat(jitteryPhi).isLessThan(regularPhi);
        assertThat(config.classify(jitteryPhi)).isEqualTo(PeerState.ALIVE);
        assertThat(config.classify(regularPhi)).isEqualTo(PeerState.FAILED);
    }

    @Test
    void acceptablePauseShiftsTheDistribution() {
        var strict = new PhiAccrualFailureDetector(config(100, 5, 50, 0), 0);
        var lenient = new PhiAccrualFailureDetector(config(100, 5, 50, 200), 0);
        long last = beat(strict, 0, 11, 100);
        beat(lenient, 0, 11, 100);

        assertThat(lenient.meanIntervalMillis()).isEqualTo(300.0);
        assertThat(lenient.phi(last + 300)).isCloseTo(strict.phi(last + 100), within(1e-12));
    }

    @Test
    void intervalEndingAFailureIsNotRecorded() {
        var detector = new PhiAccrualFailureDetector(DEFAULTS, 0);
        long last = beat(detector, 0, 11, 100);
        assertThat(detector.sampleCount()).isEqualTo(10);

        last += 5_000;
        assertThat(DEFAULTS.classify(detector.phi(last))).isEqualTo(PeerState.FAILED);
        detector.heartbeat(last);
        assertThat(detector.sampleCount()).isEqualTo(10);
        assertThat(detector.meanIntervalMillis()).isEqualTo(100.0);
        assertThat(DEFAULTS.classify(detector.phi(last + 100))).isEqualTo(PeerState.ALIVE);

        detector.heartbeat(last + 100);
        assertThat(detector.sampleCount()).isEqualTo(11);
    }

    @Test
    void rejectsHeartbeatsGoingBackInTime() {
        var detector = new PhiAccrualFailureDetector(DEFAULTS, 0);
        detector.heartbeat(500);

        assertThatThrownBy(() -> detector.heartbeat(499)).isInstanceOf(IllegalArgumentException.class);
        assertThat(detector.phi(400)).isEqualTo(detector.phi(500));
    }

    @Test
    void configClassifiesByThresholds() {
        assertThat(DEFAULTS.suspectThreshold()).isEqualTo(DEFAULTS.phiThreshold() / 2);
        assertThat(DEFAULTS.classify(0)).isEqualTo(PeerState.ALIVE);
        assertThat(DEFAULTS.classify(Math.nextDown(4.0))).isEqualTo(PeerState.ALIVE);
        assertThat(DEFAULTS.classify(4.0)).isEqualTo(PeerState.SUSPECTED);
        assertThat(DEFAULTS.classify(Math.nextDown(8.0))).isEqualTo(PeerState.SUSPECTED);
        assertThat(DEFAULTS.classify(8.0)).isEqualTo(PeerState.FAILED);
    }

    @Test
    void configRejectsOutOfRangeValues() {
        assertThatThrownBy(() -> new FailureDetectorConfig(0, 0, 100, 5, 50, 0, 100))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FailureDetectorConfig(8, 9, 100, 5, 50, 0, 100))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FailureDetectorConfig(8, 4, 0, 1, 50, 0, 100))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FailureDetectorConfig(8, 4, 10, 11, 50, 0, 100))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FailureDetectorConfig(8, 4, 10, 5, 0, 0, 100))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FailureDetectorConfig(8, 4, 10, 5, 50, -1, 100))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FailureDetectorConfig(8, 4, 10, 5, 50, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
