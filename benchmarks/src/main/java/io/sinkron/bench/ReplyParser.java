package io.sinkron.bench;

import java.io.EOFException;
import java.io.IOException;

/** An incremental parser of one answer at a time, fed from a connection's read buffer. */
interface ReplyParser {

    /** Forgets the last answer; the next {@link #parse} starts a new one. */
    void reset();

    /** Consumes what it can of {@code buffer[from, to)} for the current answer; returns how many bytes. */
    int parse(byte[] buffer, int from, int to) throws IOException;

    /** The peer closed the connection: completes an answer delimited by the close, or fails. */
    void endOfStream() throws EOFException;

    /** Whether the current answer is whole. */
    boolean complete();
}
