package io.sinkron.consensus.statemachine;

import io.sinkron.proto.ResultCode;

/** The outcome of applying one log entry, as the proposing client will see it. */
public record AppliedCommand(ResultCode code, byte[] result, String message) {

    static AppliedCommand ok(byte[] result) {
        return new AppliedCommand(ResultCode.RESULT_CODE_OK, result, "");
    }
}
