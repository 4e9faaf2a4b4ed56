package io.sinkron.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;

/** Builds the jars of the run with the Maven wrapper when they are missing or when asked to. */
final class JarBuild {

    private static final List<String> MODULES =
            List.of("consensus-node", "lock-service", "queue-service", "cache-service");

    private final Path root;
    private final Console console;

    JarBuild(Path root, Console console) {
        this.root = root;
        this.console = console;
    }

    static List<Path> missing(List<Path> jars) {
        return jars.stream().filter(j -> !Files.isRegularFile(j)).toList();
    }

    /**
     * Jars older than a source they are built from (their module's or common's main sources and
     * poms). The run does not rebuild them by itself: sources being edited may not compile.
     */
    List<Path> stale(List<Path> jars) {
        FileTime shared = newest(
                Stream.of(root.resolve("pom.xml"), root.resolve("common/pom.xml"), root.resolve("common/src/main")));
        return jars.stream()
                .filter(jar -> {
                    Path module = jar.getParent().getParent();
                    FileTime sources = newest(Stream.of(module.resolve("pom.xml"), module.resolve("src/main")));
                    FileTime built = modified(jar);
                    return shared.compareTo(built) > 0 || sources.compareTo(built) > 0;
                })
                .toList();
    }

    /** Runs {@code ./mvnw package} for the modules the run needs, with the JDK this launcher runs on. */
    void build() {
        Path javaHome = Path.of(System.getProperty("java.home"));
        if (!Files.isExecutable(javaHome.resolve("bin/javac"))) {
            throw new UsageException(javaHome + " is a JRE; building needs a JDK 25 (set JAVA_HOME to one)");
        }
        List<String> command = List.of(
                root.resolve("mvnw").toString(),
                "-B",
                "-q",
                "-pl",
                String.join(",", MODULES),
                "-am",
                "package",
                "-DskipTests");
        console.say("building the jars: " + String.join(" ", command.subList(1, command.size()))
                + " (a few minutes the first time, while Maven downloads dependencies)");
        var builder = new ProcessBuilder(command).directory(root.toFile()).inheritIO();
        builder.environment().put("JAVA_HOME", javaHome.toString());
        try {
            int code = builder.start().waitFor();
            if (code != 0) {
                throw new UsageException("the build failed with exit code " + code + " (its output is above)");
            }
        } catch (IOException e) {
            throw new UsageException("cannot run " + command.getFirst() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageException("the build was interrupted");
        }
    }

    private static FileTime newest(Stream<Path> roots) {
        return roots.filter(Files::exists)
                .flatMap(JarBuild::walk)
                .filter(Files::isRegularFile)
                .map(JarBuild::modified)
                .max(FileTime::compareTo)
                .orElse(FileTime.fromMillis(0));
    }

    private static Stream<Path> walk(Path path) {
        try (Stream<Path> files = Files.walk(path)) {
            return files.toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
