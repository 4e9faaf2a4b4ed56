package io.sinkron.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The consensus container's start command as rendered by the chart, run by a real /bin/sh as the
 * pod would run it. Only {@code java} is replaced: a script of the same name that reports the
 * environment and arguments the real JVM would have started with.
 */
final class ConsensusStartScript {

    private final List<String> command;
    private final Map<String, String> env;
    private final Path bin;

    ConsensusStartScript(Tree container, Path scratch) throws IOException {
        this.command =
                container.get("command").list().stream().map(Tree::string).toList();
        List<Tree> args = container.get("args").list();
        assertThat(args).hasSize(1);
        assertThat(command).containsExactly("/bin/sh", "-c");
        this.env = HelmChartTest.env(container);
        this.env.put("SCRIPT", args.getFirst().string());
        this.bin = Files.createDirectories(scratch.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, """
                #!/bin/sh
                echo "NODE_ID=$NODE_ID"
                echo "JOIN=${JOIN:-}"
                echo "CLUSTER_NODES=$CLUSTER_NODES"
                echo "ARGS=$*"
                """);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Runs the script as pod {@code pod}; returns what the JVM would have been started with. */
    Map<String, String> run(String pod, String namespace) throws IOException, InterruptedException {
        var builder = new ProcessBuilder(command.get(0), command.get(1), env.get("SCRIPT"));
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.environment().remove("SCRIPT");
        // What the downward API sets in the pod.
        builder.environment().put("NODE_ID", pod);
        builder.environment().put("POD_NAMESPACE", namespace);
        builder.environment().put("PATH", bin + ":/usr/bin:/bin");
        builder.redirectErrorStream(true);
        Process process = builder.start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        Map<String, String> started = new HashMap<>();
        output.lines().forEach(line -> {
            int eq = line.indexOf('=');
            started.put(line.substring(0, eq), line.substring(eq + 1));
        });
        return started;
    }
}
