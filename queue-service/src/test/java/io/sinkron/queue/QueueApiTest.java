package io.sinkron.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.patch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.ResultActions;

/** Every endpoint of the REST contract, and bad input to each: always a problem detail, never a 500. */
class QueueApiTest extends QueueServiceTest {

    private static final String PROBLEMS = "https://sinkron.io/problems/";

    // --- enqueue ---

    @Test
    void enqueue_answers_201_with_the_message_id_partition_and_sequence() throws Exception {
        postJson("/queue/enq-single/enqueue", "{\"message\": \"hello\"}")
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.message_id").isString())
                .andExpect(jsonPath("$.partition").isNumber())
                .andExpect(jsonPath("$.sequence").value(1))
                .andExpect(jsonPath("$.duplicate").value(false));

        mvc.perform(get("/queue/enq-single"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.depth").value(1));
    }

    @Test
    void any_json_message_comes_back_as_it_was_sent() throws Exception {
        String message = "{\"order\":7,\"items\":[\"a\",\"b\"],\"paid\":true,\"note\":null}";
        postJson("/queue/enq-json/enqueue", "{\"message\": " + message + "}").andExpect(status().isCreated());
        postJson("/queue/enq-json/enqueue", "{\"message\": 42.5}").andExpect(status().isCreated());

        ResultActions got = postJson("/queue/enq-json/dequeue", "{\"max_messages\": 10}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.messages", hasSize(2)));

        String body = got.andReturn().getResponse().getContentAsString();
        assertThat(body).contains("\"message\":" + message).contains("\"message\":42.5");
    }

    @Test
    void a_batch_is_enqueued_in_order_and_answered_per_message() throws Exception {
        postJson("/queue/enq-batch/enqueue", """
                        {"messages": [{"message": "a", "partition_key": "k"},
                                      {"message": "b", "partition_key": "k"},
                                      {"message": "c", "partition_key": "k"}]}""")
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.messages", hasSize(3)))
                .andExpect(jsonPath("$.messages[*].sequence").value(org.hamcrest.Matchers.contains(1, 2, 3)));

        postJson("/queue/enq-batch/dequeue", "{\"max_messages\": 3}")
                .andExpect(jsonPath("$.messages[*].message").value(org.hamcrest.Matchers.contains("a", "b", "c")));
    }

    @Test
    void a_repeated_dedup_id_returns_the_original_message_and_enqueues_nothing() throws Exception {
        ResultActions first = postJson("/queue/enq-dedup/enqueue", "{\"message\": \"pay\", \"dedup_id\": \"order-1\"}");
        String id = read(first, "$.message_id");

        postJson("/queue/enq-dedup/enqueue", "{\"message\": \"pay\", \"dedup_id\": \"order-1\"}")
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.message_id").value(id))
                .andExpect(jsonPath("$.duplicate").value(true));
        mvc.perform(get("/queue/enq-dedup")).andExpect(jsonPath("$.depth").value(1));
    }

    @Test
    void a_delayed_message_is_delivered_only_after_its_delay() throws Exception {
        postJson("/queue/enq-delay/enqueue", "{\"message\": \"later\", \"delay_ms\": 60000}")
                .andExpect(status().isCreated());

        postJson("/queue/enq-delay/dequeue", "{}").andExpect(jsonPath("$.messages", hasSize(0)));
        mvc.perform(get("/queue/enq-delay")).andExpect(jsonPath("$.delayed").value(1));
        NODE.advanceClock(Duration.ofMinutes(1));
        postJson("/queue/enq-delay/dequeue", "{}")
                .andExpect(jsonPath("$.messages[0].message").value("later"));
    }

    @Test
    void a_full_queue_refuses_with_queue_full_and_keeps_what_it_has() throws Exception {
        mvc.perform(put("/queue/enq-full")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"max_length\": 1}"))
                .andExpect(status().isOk());
        postJson("/queue/enq-full/enqueue", "{\"message\": \"a\"}").andExpect(status().isCreated());

        expectProblem(postJson("/queue/enq-full/enqueue", "{\"message\": \"b\"}"), 429, "queue-full");
        mvc.perform(get("/queue/enq-full")).andExpect(jsonPath("$.depth").value(1));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{}",
                "{\"message\": null}",
                "{\"message\": \"\"}",
                "{\"message\": \"a\", \"delay_ms\": \"soon\"}",
                "{\"message\": \"a\", \"delay_ms\": -1}",
                "{\"message\": \"a\", \"delay\": 5}",
                "{\"message\": \"a\", \"messages\": [{\"message\": \"b\"}]}",
                "{\"messages\": []}",
                "{\"messages\": \"a\"}",
                "{\"messages\": [{\"partition_key\": \"k\"}]}",
                "{\"message\": \"a\", \"dedup_id\": \"\"}",
                "{\"message\": \"a\", \"partition_key\": 7}",
                "{\"message\": ",
                "[1, 2]",
                "\"just a string\""
            })
    void malformed_enqueues_are_400_validation_problems(String body) throws Exception {
        expectProblem(postJson("/queue/enq-bad/enqueue", body), 400, "validation");
    }

    @Test
    void a_refusal_names_the_field_as_the_client_wrote_it() throws Exception {
        postJson("/queue/enq-bad/dequeue", "{\"wait\": 20001}")
                .andExpect(jsonPath("$.detail").value(startsWith("wait must be")));
        postJson("/queue/enq-bad/dequeue", "{\"max_messages\": 0}")
                .andExpect(jsonPath("$.detail").value(startsWith("max_messages must be")));
        postJson("/queue/enq-bad/enqueue", "{\"messages\": [{\"message\": \"a\", \"delay_ms\": -1}]}")
                .andExpect(jsonPath("$.detail").value(startsWith("messages[0].delay_ms must be")));
        postJson("/queue/enq-bad/enqueue", "{\"message\": \"a\", \"delay\": 1}")
                .andExpect(jsonPath("$.detail").value("unknown field 'delay'"));
        postJson("/queue/enq-bad/enqueue", "{\"message\": \"a\", \"delay_ms\": \"1\"}")
                .andExpect(jsonPath("$.detail").value("field 'delay_ms' has the wrong type or value"));
    }

    @Test
    void a_batch_of_more_than_100_messages_is_refused() throws Exception {
        String batch = "{\"messages\": [" + "{\"message\": \"x\"},".repeat(100) + "{\"message\": \"x\"}]}";

        expectProblem(postJson("/queue/enq-bad/enqueue", batch), 400, "validation");
    }

    @Test
    void an_enqueue_without_a_body_or_with_the_wrong_content_type_is_a_4xx_problem() throws Exception {
        expectProblem(
                mvc.perform(post("/queue/enq-bad/enqueue").contentType(MediaType.APPLICATION_JSON)), 400, "validation");
        expectProblem(
                mvc.perform(post("/queue/enq-bad/enqueue")
                        .contentType(MediaType.TEXT_PLAIN)
                        .content("hello")),
                415,
                "unsupported-media-type");
    }

    @Test
    void an_invalid_queue_id_is_refused() throws Exception {
        expectProblem(postJson("/queue/bad$name/enqueue", "{\"message\": \"a\"}"), 400, "validation");
        expectProblem(postJson("/queue/" + "q".repeat(256) + "/enqueue", "{\"message\": \"a\"}"), 400, "validation");
    }

    @Test
    void a_message_over_the_size_limit_is_413() throws Exception {
        String big = "x".repeat(1100);

        expectProblem(postJson("/queue/enq-big/enqueue", "{\"message\": \"" + big + "\"}"), 413, "payload-too-large");
        mvc.perform(get("/queue/enq-big")).andExpect(status().isNotFound());
    }

    @Test
    void a_batch_over_the_batch_limit_is_413_even_if_each_message_fits() throws Exception {
        String message = "{\"message\": \"" + "x".repeat(900) + "\"}";
        String batch = "{\"messages\": [" + String.join(",", java.util.Collections.nCopies(5, message)) + "]}";

        expectProblem(postJson("/queue/enq-big/enqueue", batch), 413, "payload-too-large");
    }

    @Test
    void a_request_body_over_the_request_limit_is_413_before_it_is_read() throws Exception {
        String huge = "{\"message\": \"" + "x".repeat(20_000) + "\"}";

        expectProblem(postJson("/queue/enq-big/enqueue", huge), 413, "payload-too-large");
    }

    // --- dequeue ---

    @Test
    void dequeue_delivers_one_message_by_default_with_a_receipt_and_the_enqueue_time() throws Exception {
        postJson("/queue/deq-default/enqueue", "{\"messages\": [{\"message\": \"a\"}, {\"message\": \"b\"}]}");
        Instant enqueuedAt = Instant.ofEpochMilli(NODE.clockMillis());

        mvc.perform(post("/queue/deq-default/dequeue"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.messages", hasSize(1)))
                .andExpect(jsonPath("$.messages[0].message_id").isString())
                .andExpect(jsonPath("$.messages[0].receipt").isString())
                .andExpect(jsonPath("$.messages[0].delivery_count").value(1))
                .andExpect(jsonPath("$.messages[0].partition").isNumber())
                .andExpect(jsonPath("$.messages[0].enqueued_at").value(enqueuedAt.toString()));
    }

    @Test
    void dequeue_from_an_unknown_queue_is_empty() throws Exception {
        postJson("/queue/deq-nobody/dequeue", "{\"max_messages\": 5}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.messages", hasSize(0)));
    }

    @Test
    void an_unacked_message_comes_back_after_its_visibility_timeout_with_a_new_receipt() throws Exception {
        postJson("/queue/deq-lease/enqueue", "{\"message\": \"job\"}");
        ResultActions first = postJson("/queue/deq-lease/dequeue", "{\"visibility_timeout\": 5000}");
        String receipt = read(first, "$.messages[0].receipt");

        postJson("/queue/deq-lease/dequeue", "{}").andExpect(jsonPath("$.messages", hasSize(0)));
        NODE.advanceClock(Duration.ofSeconds(5));

        postJson("/queue/deq-lease/dequeue", "{}")
                .andExpect(jsonPath("$.messages[0].message").value("job"))
                .andExpect(jsonPath("$.messages[0].delivery_count").value(2))
                .andExpect(jsonPath("$.messages[0].receipt").value(not(receipt)));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"max_messages\": 0}",
                "{\"max_messages\": 101}",
                "{\"max_messages\": \"ten\"}",
                "{\"wait\": 20001}",
                "{\"wait\": -5}",
                "{\"visibility_timeout\": -1}",
                "{\"visibility_timeout\": 43200001}",
                "{\"consumer\": \"x\"}",
                "{\"max_messages\": 1",
            })
    void malformed_dequeues_are_400_validation_problems(String body) throws Exception {
        expectProblem(postJson("/queue/deq-bad/dequeue", body), 400, "validation");
    }

    // --- ack ---

    @Test
    void an_acked_message_is_never_delivered_again_and_a_second_ack_is_404() throws Exception {
        postJson("/queue/ack-once/enqueue", "{\"message\": \"job\"}");
        ResultActions delivered = postJson("/queue/ack-once/dequeue", "{\"visibility_timeout\": 1000}");
        String ack = receiptOf(delivered);

        postJson("/queue/ack-once/ack", ack)
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.result").value("acked"));
        NODE.advanceClock(Duration.ofSeconds(2));
        postJson("/queue/ack-once/dequeue", "{}").andExpect(jsonPath("$.messages", hasSize(0)));
        expectProblem(postJson("/queue/ack-once/ack", ack), 404, "not-found");
    }

    @Test
    void a_receipt_from_an_earlier_delivery_is_409_stale_receipt() throws Exception {
        postJson("/queue/ack-stale/enqueue", "{\"message\": \"job\"}");
        String firstReceipt = receiptOf(postJson("/queue/ack-stale/dequeue", "{\"visibility_timeout\": 1000}"));
        NODE.advanceClock(Duration.ofSeconds(1));
        String secondReceipt = receiptOf(postJson("/queue/ack-stale/dequeue", "{}"));

        expectProblem(postJson("/queue/ack-stale/ack", firstReceipt), 409, "stale-receipt");
        postJson("/queue/ack-stale/ack", secondReceipt).andExpect(status().isOk());
    }

    @Test
    void a_list_of_receipts_is_answered_one_result_each() throws Exception {
        postJson("/queue/ack-list/enqueue", "{\"messages\": [{\"message\": \"a\"}, {\"message\": \"b\"}]}");
        ResultActions delivered = postJson("/queue/ack-list/dequeue", "{\"max_messages\": 2}");
        String a = read(delivered, "$.messages[0].message_id");
        String ra = read(delivered, "$.messages[0].receipt");
        String b = read(delivered, "$.messages[1].message_id");
        String rb = read(delivered, "$.messages[1].receipt");

        postJson("/queue/ack-list/ack", """
                        [{"message_id": "%s", "receipt": "%s"},
                         {"message_id": "%s", "receipt": "%s"},
                         {"message_id": "%s", "receipt": "%s"},
                         {"message_id": "%s", "receipt": "%s"}]""".formatted(a, ra, b, ra, b, "bm90LWEtcmVjZWlwdA", a, ra))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.results[*].result")
                        .value(org.hamcrest.Matchers.contains("acked", "stale_receipt", "invalid", "not_found")));
        mvc.perform(get("/queue/ack-list")).andExpect(jsonPath("$.in_flight").value(1));
    }

    @Test
    void acking_on_an_unknown_queue_is_404() throws Exception {
        expectProblem(
                postJson("/queue/ack-nowhere/ack", "{\"message_id\": \"1-0\", \"receipt\": \"AAAA\"}"),
                404,
                "not-found");
        expectProblem(
                postJson("/queue/ack-nowhere/ack", "[{\"message_id\": \"1-0\", \"receipt\": \"AAAA\"}]"),
                404,
                "not-found");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{}",
                "{\"message_id\": \"1-0\"}",
                "{\"message_id\": \"1-0\", \"receipt\": \"\"}",
                "{\"message_id\": 5, \"receipt\": {}}",
                "{\"message_id\": \"1-0\", \"receipt\": \"x\", \"extra\": 1}",
                "[]",
                "[\"1-0\"]",
                "{\"message_id\": \"not-an-id\", \"receipt\": \"AAAA\"}",
                "{\"message_id\": \"1-0\", \"receipt\": \"!!!\"}",
                "7"
            })
    void malformed_acks_are_400_validation_problems(String body) throws Exception {
        postJson("/queue/ack-bad/enqueue", "{\"message\": \"a\"}");

        expectProblem(postJson("/queue/ack-bad/ack", body), 400, "validation");
    }

    // --- nack and visibility ---

    @Test
    void a_nacked_message_is_visible_again_at_once_or_after_its_delay() throws Exception {
        postJson("/queue/nack-now/enqueue", "{\"message\": \"job\"}");
        String receipt = receiptOf(postJson("/queue/nack-now/dequeue", "{}"));

        postJson("/queue/nack-now/nack", receipt)
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.result").value("nacked"));
        String again = receiptOf(postJson("/queue/nack-now/dequeue", "{}"));
        postJson("/queue/nack-now/nack", again.replace("}", ", \"delay_ms\": 30000}"))
                .andExpect(status().isOk());
        postJson("/queue/nack-now/dequeue", "{}").andExpect(jsonPath("$.messages", hasSize(0)));
        NODE.advanceClock(Duration.ofSeconds(30));
        postJson("/queue/nack-now/dequeue", "{}")
                .andExpect(jsonPath("$.messages[0].delivery_count").value(3));
    }

    @Test
    void after_the_delivery_limit_a_message_moves_to_the_dead_letter_queue() throws Exception {
        mvc.perform(put("/queue/dead").contentType(MediaType.APPLICATION_JSON).content("{\"delivery_limit\": 2}"))
                .andExpect(jsonPath("$.config.dead_letter_queue").value("dead.dlq"));
        postJson("/queue/dead/enqueue", "{\"message\": \"poison\"}");
        postJson("/queue/dead/nack", receiptOf(postJson("/queue/dead/dequeue", "{}")));
        mvc.perform(get("/queue/dead"))
                .andExpect(jsonPath("$.dead_letter_depth").value(0));
        postJson("/queue/dead/nack", receiptOf(postJson("/queue/dead/dequeue", "{}")));

        mvc.perform(get("/queue/dead"))
                .andExpect(jsonPath("$.depth").value(0))
                .andExpect(jsonPath("$.dead_letter_depth").value(1))
                .andExpect(jsonPath("$.dead_lettered_total").value(1));
        postJson("/queue/dead.dlq/dequeue", "{}")
                .andExpect(jsonPath("$.messages[0].message").value("poison"));
    }

    @Test
    void extending_the_visibility_keeps_the_message_leased() throws Exception {
        postJson("/queue/vis-extend/enqueue", "{\"message\": \"slow job\"}");
        String receipt = receiptOf(postJson("/queue/vis-extend/dequeue", "{\"visibility_timeout\": 1000}"));

        postJson("/queue/vis-extend/visibility", receipt.replace("}", ", \"visibility_timeout\": 60000}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.result").value("extended"));
        NODE.advanceClock(Duration.ofSeconds(30));
        postJson("/queue/vis-extend/dequeue", "{}").andExpect(jsonPath("$.messages", hasSize(0)));
        postJson("/queue/vis-extend/ack", receipt).andExpect(status().isOk());
    }

    @Test
    void nack_and_visibility_with_a_stale_receipt_or_on_an_unknown_queue_are_refused() throws Exception {
        postJson("/queue/vis-stale/enqueue", "{\"message\": \"job\"}");
        String receipt = receiptOf(postJson("/queue/vis-stale/dequeue", "{\"visibility_timeout\": 1000}"));
        NODE.advanceClock(Duration.ofSeconds(1));

        expectProblem(postJson("/queue/vis-stale/nack", receipt), 409, "stale-receipt");
        expectProblem(
                postJson("/queue/vis-stale/visibility", receipt.replace("}", ", \"visibility_timeout\": 1000}")),
                409,
                "stale-receipt");
        expectProblem(postJson("/queue/vis-none/nack", receipt), 404, "not-found");
        expectProblem(
                postJson("/queue/vis-none/visibility", receipt.replace("}", ", \"visibility_timeout\": 1000}")),
                404,
                "not-found");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "nack|{}",
                "nack|{\"message_id\": \"1-0\", \"receipt\": \"AAAA\", \"delay_ms\": -1}",
                "nack|{\"message_id\": \"1-0\", \"receipt\": \"AAAA\", \"delay_ms\": 43200001}",
                "visibility|{\"message_id\": \"1-0\", \"receipt\": \"AAAA\"}",
                "visibility|{\"message_id\": \"1-0\", \"receipt\": \"AAAA\", \"visibility_timeout\": -1}",
                "visibility|{\"message_id\": \"1-0\", \"receipt\": \"AAAA\", \"visibility_timeout\": \"long\"}"
            })
    void malformed_nacks_and_visibility_changes_are_400(String endpointAndBody) throws Exception {
        String[] parts = endpointAndBody.split("\\|", 2);
        postJson("/queue/vis-bad/enqueue", "{\"message\": \"a\"}");

        expectProblem(postJson("/queue/vis-bad/" + parts[0], parts[1]), 400, "validation");
    }

    // --- configuration, listing, deletion ---

    @Test
    void put_creates_a_queue_with_the_given_configuration_and_defaults_for_the_rest() throws Exception {
        mvc.perform(put("/queue/conf-new")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"partitions\": 2, \"visibility_timeout\": 5000, \"max_length\": 10}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.queue_id").value("conf-new"))
                .andExpect(jsonPath("$.partitions", hasSize(2)))
                .andExpect(jsonPath("$.partitions[0].group").value("default"))
                .andExpect(jsonPath("$.config.partitions").value(2))
                .andExpect(jsonPath("$.config.visibility_timeout").value(5000))
                .andExpect(jsonPath("$.config.max_length").value(10))
                .andExpect(jsonPath("$.config.delivery_limit").value(10))
                .andExpect(jsonPath("$.config.dead_letter_queue").value("conf-new.dlq"))
                .andExpect(jsonPath("$.config.retention").value(345_600_000))
                .andExpect(jsonPath("$.config.dedup_window").value(300_000));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"partitions\": 0}",
                "{\"partitions\": 5000}",
                "{\"partitions\": -1}",
                "{\"partitions\": \"four\"}",
                "{\"dead_letter_queue\": \"conf-bad\"}",
                "{\"dead_letter_queue\": \"bad name\"}",
                "{\"delivery_limit\": 2000}",
                "{\"retention\": -1}",
                "{\"visibility_timeout\": 99999999999}",
                "{\"colour\": \"blue\"}"
            })
    void invalid_configurations_are_400(String body) throws Exception {
        expectProblem(
                mvc.perform(put("/queue/conf-bad")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body)),
                400,
                "validation");
    }

    @Test
    void shrinking_the_partitions_of_a_queue_that_holds_messages_is_409() throws Exception {
        postJson("/queue/conf-shrink/enqueue", "{\"message\": \"a\"}");

        expectProblem(
                mvc.perform(put("/queue/conf-shrink")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"partitions\": 1}")),
                409,
                "conflict");
    }

    @Test
    void get_describes_a_queue_per_partition_and_404s_an_unknown_one() throws Exception {
        postJson("/queue/get-one/enqueue", "{\"messages\": [{\"message\": \"a\"}, {\"message\": \"b\"}]}");
        postJson("/queue/get-one/dequeue", "{}");

        mvc.perform(get("/queue/get-one"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.depth").value(1))
                .andExpect(jsonPath("$.in_flight").value(1))
                .andExpect(jsonPath("$.delayed").value(0))
                .andExpect(jsonPath("$.dead_letter_depth").value(0))
                .andExpect(jsonPath("$.partitions", hasSize(4)))
                .andExpect(jsonPath("$.config.partitions").value(4));
        expectProblem(mvc.perform(get("/queue/get-nothing")), 404, "not-found");
    }

    @Test
    void get_all_lists_every_queue() throws Exception {
        postJson("/queue/list-a/enqueue", "{\"message\": \"a\"}");
        postJson("/queue/list-b/enqueue", "{\"message\": \"b\"}");

        mvc.perform(get("/queue"))
                .andExpect(status().isOk())
                .andExpect(
                        jsonPath("$.queues[?(@.queue_id == 'list-a')].depth").value(org.hamcrest.Matchers.contains(1)))
                .andExpect(jsonPath("$.queues[?(@.queue_id == 'list-b')]").exists())
                .andExpect(jsonPath("$.queues[0].partitions").doesNotExist());
    }

    @Test
    void delete_removes_a_queue_and_its_messages_and_404s_an_unknown_one() throws Exception {
        postJson("/queue/del-me/enqueue", "{\"message\": \"a\"}");

        mvc.perform(delete("/queue/del-me")).andExpect(status().isNoContent());
        expectProblem(mvc.perform(get("/queue/del-me")), 404, "not-found");
        expectProblem(mvc.perform(delete("/queue/del-me")), 404, "not-found");
    }

    @Test
    void an_unsupported_method_is_a_405_problem() throws Exception {
        expectProblem(mvc.perform(patch("/queue/anything")), 405, "method-not-allowed");
    }

    private static String receiptOf(ResultActions dequeued) throws Exception {
        String id = read(dequeued, "$.messages[0].message_id");
        String receipt = read(dequeued, "$.messages[0].receipt");
        return "{\"message_id\": \"" + id + "\", \"receipt\": \"" + receipt + "\"}";
    }

    static void expectProblem(ResultActions result, int status, String kind) throws Exception {
        result.andExpect(status().is(status))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value(PROBLEMS + kind))
                .andExpect(jsonPath("$.status").value(status))
                .andExpect(jsonPath("$.detail").value(not(containsString("Exception"))));
    }
}
