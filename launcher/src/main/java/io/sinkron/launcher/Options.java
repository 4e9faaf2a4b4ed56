package io.sinkron.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What {@code ./sinkron} was asked to do.
 *
 * @param command what to do
 * @param clean start with empty data: delete what an earlier run stored in {@code dataDir}
 * @param build when to build the jars
 * @param dataDir where the nodes keep their data and every process its log
 * @param portOffset added to every fixed port, for a machine where they are taken
 * @param startTimeout how long the run may take to become ready
 */
record Options(Command command, boolean clean, Build build, Path dataDir, int portOffset, Duration startTimeout) {

    enum Command {
        RUN,
        STATUS,
        STOP,
        HELP
    }

    enum Build {
        IF_MISSING,
        ALWAYS,
        NEVER
    }

    static final String DEFAULT_DATA_DIR = ".sinkron-local";
    static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(180);

    /**
     * Reads {@code args} (the command, then options); {@code SINKRON_PORT_OFFSET} in {@code env} is
     * the default offset. A relative data directory is taken from the current directory, and the
     * default one lives in {@code root}, the checkout.
     */
    static Options parse(List<String> args, Map<String, String> env, Path root) {
        if (args.isEmpty()) {
            return new Options(
                    Command.HELP, false, Build.IF_MISSING, root.resolve(DEFAULT_DATA_DIR), 0, DEFAULT_START_TIMEOUT);
        }
        Command command = switch (args.getFirst()) {
            case "run" -> Command.RUN;
            case "status" -> Command.STATUS;
            case "stop" -> Command.STOP;
            case "help", "-h", "--help" -> Command.HELP;
            default -> throw new UsageException("unknown command '" + args.getFirst() + "'");
        };
        boolean clean = false;
        Build build = Build.IF_MISSING;
        Path dataDir = root.resolve(DEFAULT_DATA_DIR);
        int portOffset = parseOffset("SINKRON_PORT_OFFSET", env.getOrDefault("SINKRON_PORT_OFFSET", "0"));
        Duration startTimeout = DEFAULT_START_TIMEOUT;
        for (int i = 1; i < args.size(); i++) {
            String option = args.get(i);
            switch (option) {
                case "--clean" -> clean = true;
                case "--build" -> build = requireUnset(build, Build.ALWAYS);
                case "--no-build" -> build = requireUnset(build, Build.NEVER);
                case "--data-dir" -> dataDir = Path.of(value(args, ++i, option)).toAbsolutePath();
                case "--port-offset" -> portOffset = parseOffset(option, value(args, ++i, option));
                case "--start-timeout" -> startTimeout = Duration.ofSeconds(parseSeconds(value(args, ++i, option)));
                default -> throw new UsageException("unknown option '" + option + "'");
            }
        }
        if (command != Command.RUN && (clean || build != Build.IF_MISSING)) {
            throw new UsageException("--clean, --build and --no-build go with run");
        }
        return new Options(command, clean, build, dataDir.normalize(), portOffset, startTimeout);
    }

    private static Build requireUnset(Build current, Build wanted) {
        if (current != Build.IF_MISSING) {
            throw new UsageException("give --build or --no-build, not both");
        }
        return wanted;
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size() || args.get(i).startsWith("--")) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(i);
    }

    private static int parseOffset(String what, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(what + ": '" + value + "' is not a whole number");
        }
    }

    private static long parseSeconds(String value) {
        try {
            long seconds = Long.parseLong(value.trim());
            if (seconds <= 0) {
                throw new NumberFormatException();
            }
            return seconds;
        } catch (NumberFormatException e) {
            throw new UsageException("--start-timeout: '" + value + "' is not a positive number of seconds");
        }
    }
}
