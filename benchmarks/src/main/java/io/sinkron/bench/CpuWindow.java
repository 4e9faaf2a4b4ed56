package io.sinkron.bench;

/**
 * CPU seconds that the store (consensus nodes, etcd members or the Redis server), the REST front
 * ends and this load generator used during a measured phase, from {@code /proc}: started and
 * stopped by the load's {@code measure-start} and {@code measure-end} phases.
 */
final class CpuWindow implements ClosedLoop.PhaseListener {

    private final long[] store;
    private final long[] front;
    private final long self = ProcessHandle.current().pid();
    private final double[] start = new double[3];
    private final double[] used = {Double.NaN, Double.NaN, Double.NaN};

    CpuWindow(long[] store, long[] front) {
        this.store = store.clone();
        this.front = front.clone();
    }

    @Override
    public void onPhase(String phase) {
        double[] now = {ProcessCpu.seconds(store), ProcessCpu.seconds(front), ProcessCpu.seconds(self)};
        if (phase.equals("measure-start")) {
            System.arraycopy(now, 0, start, 0, 3);
        } else if (phase.equals("measure-end")) {
            for (int i = 0; i < 3; i++) {
                used[i] = now[i] - start[i];
            }
            if (front.length == 0) {
                used[1] = Double.NaN;
            }
        }
    }

    /** Store, front-end and generator CPU seconds of the measured phase (NaN where none). */
    double[] seconds() {
        return used.clone();
    }
}
