package io.sinkron.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Follows the log file a process writes its output to and copies each new line to the merged
 * console log, until the process has exited and the file is read to its end.
 *
 * <p>The process writes the file itself rather than a pipe the launcher reads: its log then stays
 * complete if the launcher dies, and no process ever blocks on a pipe nobody drains.
 */
final class ProcessLog implements Runnable {

    private static final Duration POLL = Duration.ofMillis(100);

    private final String name;
    private final Path file;
    private final Process process;
    private final Console console;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    ProcessLog(String name, Path file, Process process, Console console) {
        this.name = name;
        this.file = file;
        this.process = process;
        this.console = console;
    }

    @Override
    public void run() {
        byte[] buffer = new byte[8192];
        try (InputStream in = Files.newInputStream(file)) {
            boolean exited = false;
            while (true) {
                int n = in.read(buffer);
                if (n > 0) {
                    lines(buffer, n);
                } else if (exited) {
                    break;
                } else {
                    // Read once more after the exit: the last lines may have arrived since this read.
                    exited = !process.isAlive();
                    if (!exited) {
                        Thread.sleep(POLL);
                    }
                }
            }
            if (partial.size() > 0) {
                console.line(name, partial.toString(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot follow " + file, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void lines(byte[] buffer, int length) {
        int start = 0;
        for (int i = 0; i < length; i++) {
            if (buffer[i] == '\n') {
                partial.write(buffer, start, i - start);
                console.line(name, partial.toString(StandardCharsets.UTF_8));
                partial.reset();
                start = i + 1;
            }
        }
        partial.write(buffer, start, length - start);
    }
}
