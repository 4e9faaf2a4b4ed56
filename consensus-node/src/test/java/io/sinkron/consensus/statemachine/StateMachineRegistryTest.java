package io.sinkron.consensus.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.sinkron.consensus.statemachine.kv.KvStateMachine;
import io.sinkron.proto.KvCommand;
import io.sinkron.proto.KvPut;
import io.sinkron.proto.KvQuery;
import io.sinkron.proto.KvResult;
import io.sinkron.proto.LogCommand;
import io.sinkron.proto.ResultCode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Exactly-once client sessions (Raft dissertation §6.3) and deterministic expiry. */
class StateMachineRegistryTest {

    private static final long TTL = 60_000;

    private final List<Long> advancedTo = new ArrayList<>();
    private final StateMachineRegistry registry = new StateMachineRegistry(TTL)
            .register(new KvStateMachine())
            .register(new StateMachine() {
                @Override
                public String name() {
                    return "clock-probe";
                }

                @Override
                public byte[] apply(CommandContext context, byte[] command) {
                    return new byte[0];
                }

                @Override
                public void advanceTime(CommandContext context) {
                    advancedTo.add(context.timestampMillis());
                }

                @Override
                public byte[] query(byte[] query) {
                    return new byte[0];
                }

                @Override
                public void snapshot(DataOutputStream out) {}

                @Override
                public void restore(DataInputStream in) {}
            });

    private static byte[] command(String client, long seq, long acked, long time, String key, String value) {
        var put = KvCommand.newBuilder()
                .setPut(KvPut.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value)))
                .build();
        return LogCommand.newBuilder()
                .setClientId(client)
                .setSequence(seq)
                .setAckedSequence(acked)
                .setStateMachine("kv")
                .setPayload(put.toByteString())
                .setTimestampMillis(time)
                .build()
                .toByteArray();
    }

    private String read(String key) throws Exception {
        var r = KvResult.parseFrom(registry.get("kv")
                .query(KvQuery.newBuilder().setKey(key).build().toByteArray()));
        return r.getOk() ? r.getValue().toStringUtf8() : null;
    }

    @Test
    void when_a_command_is_retried_then_it_is_applied_once_and_the_first_result_returned() throws Exception {
        var first = registry.apply(1, command("c1", 1, 0, 1000, "k", "a"), EventSink.NONE);
        registry.apply(2, command("c2", 1, 0, 1001, "k", "b"), EventSink.NONE);
        var retry = registry.apply(3, command("c1", 1, 0, 1002, "k", "a"), EventSink.NONE);
        assertThat(retry.code()).isEqualTo(ResultCode.RESULT_CODE_OK);
        assertThat(retry.result()).isEqualTo(first.result());
        assertThat(KvResult.parseFrom(retry.result()).getRevision())
                .as("revision of the first apply")
                .isEqualTo(1);
        assertThat(read("k")).as("the retry did not overwrite c2's later write").isEqualTo("b");
    }

    @Test
    void when_the_client_acknowledges_responses_then_they_are_forgotten_and_a_late_duplicate_is_refused() {
        registry.apply(1, command("c1", 1, 0, 1000, "k", "a"), EventSink.NONE);
        registry.apply(2, command("c1", 2, 1, 1001, "k", "b"), EventSink.NONE);
        var late = registry.apply(3, command("c1", 1, 0, 1002, "k", "a"), EventSink.NONE);
        assertThat(late.code()).isEqualTo(ResultCode.RESULT_CODE_SESSION_EXPIRED);
    }

    @Test
    void when_log_time_passes_the_ttl_then_the_session_expires_on_every_replica_alike() {
        registry.apply(1, command("c1", 1, 0, 1_000, "k", "a"), EventSink.NONE);
        registry.apply(2, command("other", 1, 0, 1_000 + TTL + 10_000, "x", "y"), EventSink.NONE);
        assertThat(registry.sessions().size()).isEqualTo(1);
        var afterExpiry = registry.apply(3, command("c1", 2, 1, 1_000 + TTL + 10_001, "k", "b"), EventSink.NONE);
        assertThat(afterExpiry.code()).isEqualTo(ResultCode.RESULT_CODE_SESSION_EXPIRED);
    }

    @Test
    void every_state_machine_sees_log_time_before_each_command_and_on_clock_entries() {
        registry.apply(1, command("c1", 1, 0, 5_000, "k", "a"), EventSink.NONE);
        var clock = LogCommand.newBuilder()
                .setStateMachine(StateMachineRegistry.CLOCK)
                .setTimestampMillis(6_000)
                .build();
        registry.apply(2, clock.toByteArray(), EventSink.NONE);
        registry.apply(3, command("c1", 2, 1, 5_500, "k", "b"), EventSink.NONE);
        assertThat(advancedTo).as("log time never goes back").containsExactly(5_000L, 6_000L, 6_000L);
    }

    @Test
    void an_unknown_state_machine_or_malformed_entry_is_refused_identically_everywhere() {
        var unknown = LogCommand.newBuilder()
                .setClientId("c")
                .setSequence(1)
                .setStateMachine("nope")
                .build();
        assertThat(registry.apply(1, unknown.toByteArray(), EventSink.NONE).code())
                .isEqualTo(ResultCode.RESULT_CODE_INVALID);
        assertThat(registry.apply(2, new byte[] {(byte) 0xff, 0x01}, EventSink.NONE)
                        .code())
                .isEqualTo(ResultCode.RESULT_CODE_INVALID);
    }

    @Test
    void a_captured_snapshot_writes_the_state_of_its_moment_even_after_later_commands() throws Exception {
        registry.apply(1, command("c1", 1, 0, 1000, "k", "a"), EventSink.NONE);
        var expected = new ByteArrayOutputStream();
        registry.snapshot(new DataOutputStream(expected));
        var captured = registry.captureSnapshot();
        registry.apply(2, command("c1", 2, 1, 1001, "k", "b"), EventSink.NONE);
        registry.apply(3, command("c1", 3, 2, 1002, "other", "c"), EventSink.NONE);
        var written = new ByteArrayOutputStream();
        captured.writeTo(new DataOutputStream(written));
        assertThat(written.toByteArray()).isEqualTo(expected.toByteArray());
    }

    @Test
    void a_snapshot_restores_sessions_and_state() throws Exception {
        registry.apply(1, command("c1", 1, 0, 1000, "k", "a"), EventSink.NONE);
        var bytes = new ByteArrayOutputStream();
        registry.snapshot(new DataOutputStream(bytes));
        var restored =
                new StateMachineRegistry(TTL).register(new KvStateMachine()).register(registry.get("clock-probe"));
        restored.restore(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        var retry = restored.apply(2, command("c1", 1, 0, 1001, "k", "a"), EventSink.NONE);
        assertThat(KvResult.parseFrom(retry.result()).getRevision()).isEqualTo(1);
        assertThat(restored.timestampMillis()).isEqualTo(1001);
    }
}
