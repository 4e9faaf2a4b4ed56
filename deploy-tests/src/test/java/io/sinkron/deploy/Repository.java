package io.sinkron.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the Sinkron repository, whose root Maven passes as {@code sinkron.repository.root}. */
final class Repository {

    static final Path ROOT = root();

    private Repository() {}

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    /** The Spring Boot jar of a deployable module, built by the reactor before this module. */
    static Path jar(String module) {
        Path jar = path(module + "/target/" + module + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build with ./mvnw package (or -pl deploy-tests -am)");
        }
        return jar;
    }

    private static Path root() {
        String configured = System.getProperty("sinkron.repository.root");
        Path root =
                Path.of(configured != null ? configured : "..").toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("docker-compose.yml"))) {
            throw new IllegalStateException(root + " is not the Sinkron repository (no docker-compose.yml)");
        }
        return root;
    }
}
