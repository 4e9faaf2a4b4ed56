package io.sinkron.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void when_a_run_holds_the_directory_then_a_second_one_is_refused() throws Exception {
        try (var first = DataDirectory.lock(dir)) {
            // FileChannel locks are per process: a second run is another JVM, so ask one.
            Process second = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            SecondRun.class.getName(),
                            dir.toString())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(second.getInputStream().readAllBytes());
            assertThat(second.waitFor()).as(output).isEqualTo(3);
            assertThat(output).contains("another ./sinkron run is using " + dir);
        }
    }

    @Test
    void clean_deletes_what_a_run_stored_and_nothing_else() throws Exception {
        Files.createDirectories(dir.resolve("node-1/default"));
        Files.writeString(dir.resolve("node-1/default/hardstate"), "x");
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("logs/node-1.log"), "x");
        Files.writeString(dir.resolve("sinkron.pid"), "x");
        Files.writeString(dir.resolve("notes.txt"), "mine");

        try (var data = DataDirectory.lock(dir)) {
            data.clean(List.of("node-1", "node-2", "node-3"));
        }

        assertThat(dir.resolve("node-1")).doesNotExist();
        assertThat(dir.resolve("logs")).doesNotExist();
        assertThat(dir.resolve("sinkron.pid")).doesNotExist();
        assertThat(dir.resolve("notes.txt")).hasContent("mine");
    }

    @Test
    void when_the_nodes_data_was_made_on_other_ports_then_the_run_is_refused_until_cleaned() throws Exception {
        var nodes = List.of("node-1", "node-2", "node-3");
        try (var data = DataDirectory.lock(dir)) {
            data.claimPortOffset(0, nodes);
            Files.createDirectories(dir.resolve("node-1"));

            data.claimPortOffset(0, nodes);
            assertThatThrownBy(() -> data.claimPortOffset(100, nodes))
                    .hasMessageContaining("is of a cluster on --port-offset 0")
                    .hasMessageContaining("--clean");

            data.clean(nodes);
            data.claimPortOffset(100, nodes);
            assertThat(dir.resolve("port-offset")).hasContent("100");
        }
    }

    @Test
    void when_the_directory_cannot_be_created_then_the_message_names_it() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertThatThrownBy(() -> DataDirectory.lock(file.resolve("data")))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("data directory " + file.resolve("data") + " cannot be created");
    }

    /** Tries to lock the directory from a second JVM: exit 3 when refused. */
    static final class SecondRun {
        public static void main(String[] args) {
            try (var ignored = DataDirectory.lock(Path.of(args[0]))) {
                System.exit(0);
            } catch (UsageException e) {
                System.out.println(e.getMessage());
                System.exit(3);
            } catch (java.io.IOException e) {
                System.exit(4);
            }
        }
    }
}
