package io.sinkron.consensus.raft.sim;

import io.sinkron.history.CheckResult;
import io.sinkron.history.LinearizabilityChecker;
import io.sinkron.history.Operation;
import io.sinkron.history.RegisterModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Turns a simulated client history into register operations and checks it (Wing–Gong, per key). */
final class HistoryCheck {

    private HistoryCheck() {}

    static CheckResult check(List<SimOp> history) {
        var ops = new ArrayList<Operation<RegisterModel.Input<String>, RegisterModel.Output<String>>>();
        for (SimOp op : history) {
            if (op == null) {
                continue;
            }
            RegisterModel.Input<String> input = switch (op.kind()) {
                case "get" -> RegisterModel.read();
                case "put" -> RegisterModel.write(op.value());
                case "cas" -> RegisterModel.cas(op.expected(), op.value());
                default -> throw new IllegalArgumentException(op.kind());
            };
            if (!op.completed()) {
                if (!op.kind().equals("get")) {
                    // An unanswered read has no effect; an unanswered write may or may not have one.
                    ops.add(Operation.pending(op.process(), op.key(), input, op.invokedAt()));
                }
                continue;
            }
            RegisterModel.Output<String> output = switch (op.kind()) {
                case "get" -> RegisterModel.readResult(op.output());
                case "put" -> RegisterModel.writeResult();
                default -> RegisterModel.casResult(Objects.equals(op.output(), "true"));
            };
            ops.add(Operation.completed(op.process(), op.key(), input, output, op.invokedAt(), op.completedAt()));
        }
        return LinearizabilityChecker.check(ops, new RegisterModel<>());
    }
}
