package io.sinkron.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/base-image.sh without root or a Docker daemon: the Java runtime it jlinks has every
 * module each Sinkron jar needs (a missing one would show only when a container starts), and its
 * command line behaves. ContainerClusterIT builds and runs the images on the real thing.
 */
class BaseImageScriptTest {

    private static final Path SCRIPT = Repository.path("docker/base-image.sh");
    private static final Pattern MODULES = Pattern.compile("(?m)^readonly MODULES=(\\S+)$");

    /** One jdeps run over the four jars: they share most of their libraries. */
    @Test
    void the_runtime_has_every_module_the_jars_need(@TempDir Path dir) throws IOException {
        List<String> arguments = new ArrayList<>(List.of(
                "--ignore-missing-deps",
                "--multi-release",
                "25",
                "--print-module-deps",
                "--class-path",
                dir.resolve("lib") + "/*"));
        for (String module : List.of("consensus-node", "lock-service", "queue-service", "cache-service")) {
            arguments.add(unpack(Repository.jar(module), dir, module).toString());
        }
        Path jdeps = Path.of(System.getProperty("java.home"), "bin", "jdeps");
        Tool.Result result = new Tool(jdeps).run(dir, arguments.toArray(String[]::new));
        assertThat(result.ok()).as(result.output()).isTrue();
        String needed = result.output().lines().reduce((first, last) -> last).orElseThrow();
        assertThat(needed).as("jdeps' answer").matches("[a-z.]+(,[a-z.]+)*");
        assertThat(scriptModules()).containsAll(Arrays.asList(needed.split(",")));
    }

    @Test
    void help_prints_the_usage_and_an_unknown_option_is_refused() {
        Tool bash = new Tool(Path.of("/bin/bash"));
        Tool.Result help = bash.run(Repository.ROOT, SCRIPT.toString(), "--help");
        assertThat(help.exitCode()).as(help.output()).isZero();
        assertThat(help.output()).contains("sinkron-base:local", "--force", "DEBIAN_MIRROR");

        Tool.Result unknown = bash.run(Repository.ROOT, SCRIPT.toString(), "--bogus");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.output()).contains("unknown option --bogus");
    }

    @Test
    void the_script_is_executable_and_valid_bash() {
        assertThat(Files.isExecutable(SCRIPT)).isTrue();
        Tool.Result syntax = new Tool(Path.of("/bin/bash")).run(Repository.ROOT, "-n", SCRIPT.toString());
        assertThat(syntax.ok()).as(syntax.output()).isTrue();
    }

    private static Set<String> scriptModules() {
        Matcher matcher = MODULES.matcher(Yamls.read(SCRIPT));
        assertThat(matcher.find()).as("a MODULES line in " + SCRIPT).isTrue();
        return Arrays.stream(matcher.group(1).split(",")).collect(Collectors.toCollection(TreeSet::new));
    }

    /** BOOT-INF/lib/*.jar to lib/ (shared by the jars), BOOT-INF/classes to {@code module}/. */
    private static Path unpack(Path jar, Path dir, String module) throws IOException {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Path classes = Files.createDirectories(dir.resolve(module));
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : zip.stream().toList()) {
                String name = entry.getName();
                Path target = null;
                if (name.startsWith("BOOT-INF/lib/") && name.endsWith(".jar")) {
                    target = lib.resolve(name.substring("BOOT-INF/lib/".length()));
                } else if (name.startsWith("BOOT-INF/classes/") && !entry.isDirectory()) {
                    target = classes.resolve(name.substring("BOOT-INF/classes/".length()));
                }
                if (target != null && !Files.exists(target)) {
                    Files.createDirectories(target.getParent());
                    try (InputStream in = zip.getInputStream(entry)) {
                        Files.copy(in, target);
                    }
                }
            }
        }
        return classes;
    }
}
