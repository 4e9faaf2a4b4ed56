package io.sinkron.history;

import io.sinkron.history.RegisterModel.Input;
import io.sinkron.history.RegisterModel.Output;
import java.util.ArrayList;
import java.util.List;

/** Builds register histories for tests; operations are on key {@code "x"} unless one is given. */
final class RegisterHistory {

    static final RegisterModel<Integer> MODEL = new RegisterModel<>();

    private final List<Operation<Input<Integer>, Output<Integer>>> operations = new ArrayList<>();

    List<Operation<Input<Integer>, Output<Integer>>> operations() {
        return operations;
    }

    CheckResult check() {
        return LinearizabilityChecker.check(operations, MODEL);
    }

    RegisterHistory write(String client, int value, long invoke, long complete) {
        return write(client, "x", value, invoke, complete);
    }

    RegisterHistory write(String client, String key, int value, long invoke, long complete) {
        return add(Operation.completed(
                client, key, RegisterModel.write(value), RegisterModel.writeResult(), invoke, complete));
    }

    RegisterHistory read(String client, Integer value, long invoke, long complete) {
        return read(client, "x", value, invoke, complete);
    }

    RegisterHistory read(String client, String key, Integer value, long invoke, long complete) {
        return add(Operation.completed(
                client, key, RegisterModel.read(), RegisterModel.readResult(value), invoke, complete));
    }

    RegisterHistory cas(String client, Integer expected, Integer update, boolean swapped, long invoke, long complete) {
        return add(Operation.completed(
                client, "x", RegisterModel.cas(expected, update), RegisterModel.casResult(swapped), invoke, complete));
    }

    RegisterHistory pending(String client, Input<Integer> input, long invoke) {
        return add(Operation.pending(client, "x", input, invoke));
    }

    RegisterHistory add(Operation<Input<Integer>, Output<Integer>> operation) {
        operations.add(operation);
        return this;
    }
}
