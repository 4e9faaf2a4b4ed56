package io.sinkron.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionsTest {

    private static final Path ROOT = Path.of("/checkout");

    private static Options parse(String... args) {
        return Options.parse(List.of(args), Map.of(), ROOT);
    }

    @Test
    void when_run_alone_then_data_lives_in_the_checkout_and_ports_are_the_documented_ones() {
        Options o = parse("run");
        assertThat(o.command()).isEqualTo(Options.Command.RUN);
        assertThat(o.dataDir()).isEqualTo(ROOT.resolve(".sinkron-local"));
        assertThat(o.portOffset()).isZero();
        assertThat(o.build()).isEqualTo(Options.Build.IF_MISSING);
        assertThat(o.clean()).isFalse();
    }

    @Test
    void when_no_command_then_help() {
        assertThat(parse().command()).isEqualTo(Options.Command.HELP);
    }

    @Test
    void when_options_given_then_they_are_taken() {
        Options o = parse(
                "run",
                "--clean",
                "--no-build",
                "--data-dir",
                "/tmp/x",
                "--port-offset",
                "100",
                "--start-timeout",
                "30");
        assertThat(o.clean()).isTrue();
        assertThat(o.build()).isEqualTo(Options.Build.NEVER);
        assertThat(o.dataDir()).isEqualTo(Path.of("/tmp/x"));
        assertThat(o.portOffset()).isEqualTo(100);
        assertThat(o.startTimeout()).hasSeconds(30);
    }

    @Test
    void when_the_environment_sets_an_offset_then_it_is_the_default_and_the_option_wins() {
        var env = Map.of("SINKRON_PORT_OFFSET", "200");
        assertThat(Options.parse(List.of("status"), env, ROOT).portOffset()).isEqualTo(200);
        assertThat(Options.parse(List.of("status", "--port-offset", "5"), env, ROOT)
                        .portOffset())
                .isEqualTo(5);
    }

    @Test
    void when_the_command_line_is_wrong_then_the_message_says_what_is_wrong() {
        assertThatThrownBy(() -> parse("start")).hasMessageContaining("unknown command 'start'");
        assertThatThrownBy(() -> parse("run", "--fast")).hasMessageContaining("unknown option '--fast'");
        assertThatThrownBy(() -> parse("run", "--port-offset")).hasMessageContaining("--port-offset needs a value");
        assertThatThrownBy(() -> parse("run", "--port-offset", "ten"))
                .hasMessageContaining("'ten' is not a whole number");
        assertThatThrownBy(() -> parse("run", "--start-timeout", "0")).hasMessageContaining("positive");
        assertThatThrownBy(() -> parse("run", "--build", "--no-build")).hasMessageContaining("not both");
        assertThatThrownBy(() -> parse("status", "--clean")).hasMessageContaining("go with run");
    }
}
