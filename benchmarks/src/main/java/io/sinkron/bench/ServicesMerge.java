package io.sinkron.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Combines the {@code results.md} of {@link ServicesRun}s that ran different {@code --parts}
 * (for instance the Sinkron part again after it failed to start) into one comparison: the
 * throughput tables of all inputs, the targets computed from them, and the plots redrawn with
 * every target on them. The machine notes and the Sinkron-only sections (Zipf, holders, heap) are
 * carried over from the inputs as they are.
 *
 * <pre>
 * java -cp benchmarks.jar io.sinkron.bench.ServicesMerge --in=dirA,dirB --out=dir
 * </pre>
 */
public final class ServicesMerge {

    private ServicesMerge() {}

    public static void main(String[] args) throws Exception {
        var options = Options.parse(args);
        List<Path> inputs =
                Arrays.stream(options.required("in").split(",")).map(Path::of).toList();
        Path out = Path.of(options.required("out"));
        options.rejectUnknown();
        Files.createDirectories(out);
        var report = new ServicesReport(out, "see the inputs", 0, 0);
        var carried = new StringBuilder();
        for (Path input : inputs) {
            List<String> lines = Files.readAllLines(input.resolve("results.md"));
            carried.append("\n## From ").append(input).append("\n\n");
            String section = "";
            boolean carry = false;
            for (String line : lines) {
                if (line.startsWith("### ")) {
                    section = line.substring(4);
                    carry = section.startsWith("Machine")
                            || section.startsWith("Cache under")
                            || section.startsWith("Cache write")
                            || section.startsWith("consensus-node heap");
                    if (carry) {
                        carried.append("#").append(line).append('\n');
                    }
                    continue;
                }
                if (carry) {
                    carried.append(line).append('\n');
                } else if (section.equals("Targets") && line.startsWith("- consensus-node heap")) {
                    carried.append("\n").append(line).append('\n');
                } else if (line.startsWith("| ") && !line.startsWith("| workload") && !line.startsWith("| target")) {
                    parse(section, line).ifPresent(report::add);
                }
            }
        }
        report.finish();
        report.plots();
        String markdown = report.markdown() + carried;
        Files.writeString(out.resolve("results.md"), markdown);
        System.out.println(markdown);
    }

    private static java.util.Optional<ServiceResult> parse(String group, String line) {
        List<String> cells = new ArrayList<>();
        for (String cell : line.substring(1, line.lastIndexOf('|')).split("\\|")) {
            cells.add(cell.trim());
        }
        if (group.equals("Load-generator calibration") && cells.size() == 8) {
            return java.util.Optional.of(new ServiceResult(
                    "calibration",
                    cells.get(1),
                    cells.get(0),
                    cells.get(2),
                    Integer.parseInt(cells.get(3)),
                    0,
                    number(cells.get(4)),
                    number(cells.get(5)),
                    number(cells.get(6)),
                    Double.NaN,
                    Long.parseLong(cells.get(7)),
                    null,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN));
        }
        if (cells.size() != 12) {
            return java.util.Optional.empty();
        }
        String loop = cells.get(2);
        double offered = loop.startsWith("open ") ? number(loop.substring(5, loop.indexOf('/'))) : 0;
        return java.util.Optional.of(new ServiceResult(
                group,
                cells.get(0),
                cells.get(1),
                "JVM harness",
                Integer.parseInt(cells.get(3)),
                offered,
                number(cells.get(4)),
                number(cells.get(5)),
                number(cells.get(6)),
                number(cells.get(7)),
                Long.parseLong(cells.get(8)),
                null,
                number(cells.get(9)),
                number(cells.get(10)),
                number(cells.get(11))));
    }

    private static double number(String cell) {
        return cell.equals("–") ? Double.NaN : Double.parseDouble(cell.replace(",", ""));
    }
}
