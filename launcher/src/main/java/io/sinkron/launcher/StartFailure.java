package io.sinkron.launcher;

/** A process of the run exited or did not become ready while the run was starting. */
final class StartFailure extends Exception {

    StartFailure(String message) {
        super(message);
    }
}
