package io.sinkron.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** docker/Dockerfile, split into instructions (continuations joined, comments dropped), by stage. */
final class Dockerfile {

    /** One instruction: its keyword (upper case) and the rest of the line. */
    record Instruction(String keyword, String arguments) {}

    static final Path FILE = Repository.path("docker/Dockerfile");

    private final List<Instruction> preamble = new ArrayList<>();
    private final List<List<Instruction>> stages = new ArrayList<>();

    Dockerfile() {
        StringBuilder logical = new StringBuilder();
        for (String line : Yamls.read(FILE).split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && logical.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                logical.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            logical.append(trimmed);
            add(logical.toString().strip());
            logical.setLength(0);
        }
    }

    private void add(String line) {
        if (line.isEmpty()) {
            return;
        }
        int space = line.indexOf(' ');
        var instruction = new Instruction(
                line.substring(0, space).toUpperCase(Locale.ROOT),
                line.substring(space + 1).strip());
        if (instruction.keyword().equals("FROM")) {
            stages.add(new ArrayList<>());
        }
        (stages.isEmpty() ? preamble : stages.getLast()).add(instruction);
    }

    List<Instruction> preamble() {
        return preamble;
    }

    List<Instruction> stage(int index) {
        return stages.get(index);
    }

    int stageCount() {
        return stages.size();
    }

    List<String> arguments(int stage, String keyword) {
        return stage(stage).stream()
                .filter(i -> i.keyword().equals(keyword))
                .map(Instruction::arguments)
                .toList();
    }

    String single(int stage, String keyword) {
        List<String> found = arguments(stage, keyword);
        if (found.size() != 1) {
            throw new AssertionError("stage " + stage + " has " + found.size() + " " + keyword + " instructions");
        }
        return found.getFirst();
    }
}
