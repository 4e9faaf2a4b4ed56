package io.sinkron.consensus.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sinkron.consensus.raft.HardState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HardStateStoreTest {

    @TempDir
    Path dir;

    private final CrashingFileIo io = new CrashingFileIo();

    @Test
    void when_nothing_was_saved_then_load_returns_empty() throws IOException {
        assertThat(HardStateStore.open(dir.resolve("fresh")).load()).isEqualTo(HardState.EMPTY);
    }

    @Test
    void when_saved_then_load_and_reopen_return_it() throws IOException {
        var store = HardStateStore.open(dir);
        var voted = new HardState(7, "nöde-3", 41);
        store.save(voted);
        assertThat(store.load()).isEqualTo(voted);
        assertThat(HardStateStore.open(dir).load()).isEqualTo(voted);

        var noVote = new HardState(8, null, 41);
        store.save(noVote);
        assertThat(HardStateStore.open(dir).load()).isEqualTo(noVote);
    }

    @Test
    void when_save_returns_then_the_file_was_forced_before_the_rename_and_the_directory_synced() throws IOException {
        var store = HardStateStore.open(dir, io);

        store.save(new HardState(2, "n1", 0));

        assertThat(io.events())
                .containsExactly(
                        "create hardstate.tmp",
                        "write hardstate.tmp",
                        "force hardstate.tmp",
                        "move hardstate.tmp hardstate",
                        "syncdir " + dir.getFileName());
    }

    @Test
    void when_save_returns_then_the_state_survives_a_crash() throws IOException {
        var store = HardStateStore.open(dir, io);
        store.save(new HardState(1, "n1", 0));
        var latest = new HardState(2, "n2", 5);
        store.save(latest);

        io.crash();

        assertThat(HardStateStore.open(dir, io).load()).isEqualTo(latest);
    }

    @Test
    void when_the_state_is_unchanged_then_save_writes_nothing() throws IOException {
        var store = HardStateStore.open(dir, io);
        store.save(new HardState(3, "n1", 9));
        io.clearEvents();

        store.save(new HardState(3, "n1", 9));

        assertThat(io.events()).isEmpty();
    }

    @Test
    void when_a_byte_is_flipped_then_open_reports_the_corrupt_file() throws IOException {
        HardStateStore.open(dir).save(new HardState(4, "n1", 2));
        var file = dir.resolve(HardStateStore.FILE_NAME);
        var bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 1;
        Files.write(file, bytes);

        assertThatThrownBy(() -> HardStateStore.open(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("CRC mismatch");
    }

    @Test
    void when_the_file_is_cut_short_or_foreign_then_open_reports_it() throws IOException {
        HardStateStore.open(dir).save(new HardState(4, "n1", 2));
        var file = dir.resolve(HardStateStore.FILE_NAME);
        var bytes = Files.readAllBytes(file);

        Files.write(file, Arrays.copyOf(bytes, bytes.length - 1));
        assertThatThrownBy(() -> HardStateStore.open(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt hard state file");

        Files.write(file, new byte[0]);
        assertThatThrownBy(() -> HardStateStore.open(dir)).hasMessageContaining("only 0 bytes");

        Files.writeString(file, "term=4 votedFor=n1 commit=2 and some more text");
        assertThatThrownBy(() -> HardStateStore.open(dir)).hasMessageContaining("bad magic number");
    }
}
