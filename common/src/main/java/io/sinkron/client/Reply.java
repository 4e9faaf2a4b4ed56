package io.sinkron.client;

import com.google.protobuf.ByteString;
import io.sinkron.proto.CommandResponse;
import io.sinkron.proto.LeaderHint;
import io.sinkron.proto.ReadResponse;
import io.sinkron.proto.ResultCode;

/** What a Submit or Read answer says, in the shape the retry logic needs. */
record Reply(ResultCode code, ByteString result, LeaderHint leaderHint, String message) {

    static Reply of(CommandResponse response) {
        return new Reply(response.getCode(), response.getResult(), response.getLeaderHint(), response.getMessage());
    }

    static Reply of(ReadResponse response) {
        return new Reply(response.getCode(), response.getResult(), response.getLeaderHint(), response.getMessage());
    }

    /** The leader address the node pointed to, or {@code null} if it gave none or an invalid one. */
    NodeAddress hintedAddress() {
        if (leaderHint == null || leaderHint.getAddress().isBlank()) {
            return null;
        }
        try {
            return NodeAddress.parse(leaderHint.getAddress());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
