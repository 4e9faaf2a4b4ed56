package io.sinkron.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sinkron.testkit.ReservedPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * docker/Dockerfile without a Docker daemon: its instructions are checked, and the parts that
 * run programs are run here the way the build and the container would run them: the layer
 * extraction on each real jar, then a consensus node started from the assembled layers with the
 * image's entrypoint and environment until the image's HEALTHCHECK command passes.
 */
class DockerImageTest {

    private static final Dockerfile DOCKERFILE = new Dockerfile();
    private static final int LAYERS = 0;
    private static final int RUNTIME = 1;
    private static final Pattern LAYER_COPY = Pattern.compile("--from=layers /build/extracted/([a-z-]+)/ \\./");

    @Test
    void the_base_image_is_a_build_argument_defaulting_to_the_temurin_25_jre() {
        assertThat(DOCKERFILE.preamble())
                .containsExactly(new Dockerfile.Instruction("ARG", "BASE_IMAGE=eclipse-temurin:25-jre"));
        assertThat(DOCKERFILE.stageCount()).isEqualTo(2);
        assertThat(DOCKERFILE.single(LAYERS, "FROM")).isEqualTo("${BASE_IMAGE} AS layers");
        assertThat(DOCKERFILE.single(RUNTIME, "FROM")).isEqualTo("${BASE_IMAGE}");
    }

    @Test
    void the_container_runs_as_a_created_non_root_user() {
        String user = DOCKERFILE.single(RUNTIME, "USER");
        assertThat(user).matches("[0-9]+:[0-9]+");
        String uid = user.split(":")[0];
        assertThat(Integer.parseInt(uid)).isPositive();
        assertThat(DOCKERFILE.arguments(RUNTIME, "RUN"))
                .anySatisfy(run -> assertThat(run).contains("useradd").contains("--uid " + uid));
        int userAt = indexOf(RUNTIME, "USER");
        assertThat(indexOf(RUNTIME, "ENTRYPOINT")).isGreaterThan(userAt);
    }

    @Test
    void the_health_check_asks_for_readiness_with_the_script_the_image_contains() {
        String healthcheck = DOCKERFILE.single(RUNTIME, "HEALTHCHECK");
        assertThat(healthcheck)
                .contains(" CMD sinkron-http-check \"127.0.0.1:${SERVER_PORT}/actuator/health/readiness\"");
        assertThat(DOCKERFILE.arguments(RUNTIME, "COPY"))
                .contains("docker/http-check /usr/local/bin/sinkron-http-check");
        assertThat(Files.isExecutable(Repository.path("docker/http-check"))).isTrue();
    }

    @Test
    void the_build_context_admits_exactly_what_the_dockerfile_copies() {
        List<String> ignore = Yamls.read(Repository.path(".dockerignore"))
                .lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        assertThat(ignore.getFirst()).as("everything is excluded first").isEqualTo("*");
        Set<String> admitted = ignore.stream().skip(1).map(l -> l.substring(1)).collect(Collectors.toSet());
        Set<String> copied = new HashSet<>();
        for (String module : List.of("consensus-node", "lock-service", "queue-service", "cache-service")) {
            for (int stage = 0; stage < DOCKERFILE.stageCount(); stage++) {
                for (String copy : DOCKERFILE.arguments(stage, "COPY")) {
                    if (!copy.startsWith("--from=")) {
                        copied.add(copy.split(" ")[0].replace("${MODULE}", module));
                    }
                }
            }
        }
        assertThat(admitted).containsExactlyInAnyOrderElementsOf(copied);
    }

    @ParameterizedTest
    @ValueSource(strings = {"consensus-node", "lock-service", "queue-service", "cache-service"})
    void the_image_copies_every_layer_boot_extracts_and_nothing_else(String module, @TempDir Path root) {
        Path extracted = extractLayers(module, root);
        try (Stream<Path> dirs = Files.list(extracted)) {
            assertThat(dirs.map(d -> d.getFileName().toString())).containsExactlyInAnyOrderElementsOf(copiedLayers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(extracted.resolve("spring-boot-loader/" + launcherClass().replace('.', '/') + ".class"))
                .isRegularFile();
        assertThat(extracted.resolve("application/BOOT-INF/classes")).isDirectory();
    }

    @Test
    void a_consensus_node_started_like_the_container_passes_the_health_check(@TempDir Path root) throws Exception {
        Path extracted = extractLayers("consensus-node", root);
        Path app = Files.createDirectories(
                root.resolve(DOCKERFILE.single(RUNTIME, "WORKDIR").substring(1)));
        for (String layer : copiedLayers()) {
            copyTree(extracted.resolve(layer), app);
        }
        int httpPort = freePort();
        int grpcPort = freePort();
        Map<String, String> env = new HashMap<>(imageEnv());
        env.put("SERVER_PORT", String.valueOf(httpPort));
        env.put("DATA_DIR", Files.createDirectories(root.resolve("data")).toString());
        env.put("NODE_ID", "node-1");
        env.put("CLUSTER_NODES", "node-1:127.0.0.1:" + grpcPort);
        env.put("BIND_HOST", "127.0.0.1");
        env.put("PATH", javaBin() + ":/usr/bin:/bin");

        // The image's PATH finds its Java 25 as "java"; ProcessBuilder looks a program up on this
        // JVM's PATH instead, which may hold another Java, so the build's own is named.
        List<String> command = new ArrayList<>(entrypoint());
        command.set(0, javaBin().resolve("java").toString());
        var builder = new ProcessBuilder(command).directory(app.toFile());
        builder.environment().putAll(env);
        // Kept after the test (the temporary directory is not) for a failure to be diagnosed.
        Path log = Path.of("target/consensus-node-container.log").toAbsolutePath();
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        Process node = builder.start();
        try {
            Path bin = Files.createDirectories(root.resolve("usr-local-bin"));
            Files.copy(Repository.path("docker/http-check"), bin.resolve("sinkron-http-check"));
            bin.resolve("sinkron-http-check").toFile().setExecutable(true);
            String check = DOCKERFILE.single(RUNTIME, "HEALTHCHECK").replaceFirst("^.* CMD ", "");
            Map<String, String> checkEnv = new HashMap<>(env);
            checkEnv.put("PATH", bin + ":/usr/bin:/bin");
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .failFast("the node exited; see " + log, () -> !node.isAlive())
                    .until(() -> shell(check, checkEnv).ok());
        } finally {
            node.destroy();
            if (!node.waitFor(30, TimeUnit.SECONDS)) {
                node.destroyForcibly().waitFor();
            }
        }
    }

    /** Runs the layers stage: the jar copied as app.jar in WORKDIR, then its RUN command. */
    private static Path extractLayers(String module, Path root) {
        Path workdir = root.resolve(DOCKERFILE.single(LAYERS, "WORKDIR").substring(1));
        try {
            Files.createDirectories(workdir);
            String[] copy = DOCKERFILE.single(LAYERS, "COPY").split(" ");
            assertThat(copy[0]).isEqualTo("${MODULE}/target/${MODULE}.jar");
            Files.copy(Repository.jar(module), workdir.resolve(copy[1]), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = Map.of("PATH", javaBin() + ":/usr/bin:/bin");
        Tool.Result result = shell(DOCKERFILE.single(LAYERS, "RUN"), env, workdir);
        assertThat(result.ok()).as(result.output()).isTrue();
        Matcher destination = Pattern.compile("--destination (\\S+)").matcher(DOCKERFILE.single(LAYERS, "RUN"));
        assertThat(destination.find()).isTrue();
        return workdir.resolve(destination.group(1));
    }

    private static List<String> copiedLayers() {
        return DOCKERFILE.arguments(RUNTIME, "COPY").stream()
                .map(LAYER_COPY::matcher)
                .filter(Matcher::matches)
                .map(m -> m.group(1))
                .toList();
    }

    private static List<String> entrypoint() {
        List<String> entrypoint = JsonMapper.builder()
                .build()
                .readValue(DOCKERFILE.single(RUNTIME, "ENTRYPOINT"), new tools.jackson.core.type.TypeReference<>() {});
        assertThat(entrypoint).as("exec form, java as PID 1").hasSize(2).startsWith("java");
        return entrypoint;
    }

    private static String launcherClass() {
        return entrypoint().get(1);
    }

    private static Map<String, String> imageEnv() {
        Map<String, String> env = new HashMap<>();
        for (String assignment : DOCKERFILE.single(RUNTIME, "ENV").split("\\s+")) {
            String[] kv = assignment.split("=", 2);
            env.put(kv[0], kv[1]);
        }
        return env;
    }

    private static int indexOf(int stage, String keyword) {
        List<Dockerfile.Instruction> instructions = DOCKERFILE.stage(stage);
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).keyword().equals(keyword)) {
                return i;
            }
        }
        throw new AssertionError("no " + keyword);
    }

    private static Tool.Result shell(String command, Map<String, String> env) {
        return shell(command, env, Repository.ROOT);
    }

    /** A RUN or HEALTHCHECK in shell form, as Docker runs it: /bin/sh -c. */
    private static Tool.Result shell(String command, Map<String, String> env, Path dir) {
        try {
            var builder = new ProcessBuilder("/bin/sh", "-c", command).directory(dir.toFile());
            builder.environment().clear();
            builder.environment().putAll(env);
            Process process = builder.redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            return new Tool.Result(process.waitFor(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Path javaBin() {
        return Path.of(System.getProperty("java.home"), "bin");
    }

    private static int freePort() {
        return ReservedPorts.take(1)[0];
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}
