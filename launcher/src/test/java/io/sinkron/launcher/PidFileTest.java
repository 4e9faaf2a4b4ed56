package io.sinkron.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFileTest {

    @TempDir
    Path dir;

    @Test
    void entries_survive_a_round_trip_and_the_running_process_is_live() {
        var file = PidFile.in(dir);
        var self = PidFile.Entry.of("launcher", ProcessHandle.current());

        file.write(List.of(self, new PidFile.Entry("node-1", 12345, 67890)));

        assertThat(file.read()).containsExactly(self, new PidFile.Entry("node-1", 12345, 67890));
        assertThat(self.live()).contains(ProcessHandle.current());
    }

    @Test
    void when_the_pid_now_belongs_to_another_process_then_it_is_not_live() {
        long started =
                ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli();
        var reused = new PidFile.Entry("node-1", ProcessHandle.current().pid(), started - 60_000);

        assertThat(reused.live()).isEmpty();
    }

    @Test
    void when_deleted_then_nothing_is_recorded() {
        var file = PidFile.in(dir);
        file.write(List.of(PidFile.Entry.of("launcher", ProcessHandle.current())));
        file.delete();
        assertThat(file.read()).isEmpty();
    }
}
