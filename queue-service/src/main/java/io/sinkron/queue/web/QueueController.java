package io.sinkron.queue.web;

import io.sinkron.proto.QueueReceipt;
import io.sinkron.proto.QueueReceiptOutcome;
import io.sinkron.queue.QueueServiceProperties;
import io.sinkron.queue.service.QueueProblem;
import io.sinkron.queue.service.ReplicatedQueues;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The REST face of the replicated queues. Each endpoint checks its input, maps it to one queue
 * command or query, and maps the answer back; the semantics live in the queue state machine.
 */
@RestController
@RequestMapping(path = "/queue", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "queues", description = "Partitioned queues with at-least-once delivery")
class QueueController {

    /**
     * Queue ids, as the state machine accepts them, except the dot segments "." and "..": clients
     * and proxies resolve those away (RFC 3986 5.2.4), so such a queue could not be reached by all.
     */
    static final String QUEUE_ID = "(?!\\.\\.?$)[A-Za-z0-9._-]{1,255}";

    private static final int MAX_RECEIPTS = 100;

    private final ReplicatedQueues queues;
    private final MessageCodec codec;
    private final JsonMapper json;
    private final Duration maxWait;

    QueueController(ReplicatedQueues queues, MessageCodec codec, JsonMapper json, QueueServiceProperties properties) {
        this.queues = queues;
        this.codec = codec;
        this.json = json;
        this.maxWait = properties.maxWait();
    }

    @PostMapping("/{queue_id}/enqueue")
    @Operation(
            summary = "Enqueue one message or a batch",
            description = "Answers 201 once the messages are committed on a majority of the cluster. A batch is"
                    + " enqueued whole or, if the queue has no room (429 queue-full), not at all.")
    @ResponseStatus(HttpStatus.CREATED)
    EnqueueResponse enqueue(
            @PathVariable("queue_id") @Pattern(regexp = QUEUE_ID) String queueId,
            @RequestBody @Valid EnqueueRequest request) {
        List<EnqueueResponse.Enqueued> enqueued = queues.enqueue(queueId, request.toCommands(codec)).stream()
                .map(EnqueueResponse.Enqueued::of)
                .toList();
        return request.isBatch() ? new EnqueueResponse.Batch(enqueued) : enqueued.getFirst();
    }

    @PostMapping("/{queue_id}/dequeue")
    @Operation(
            summary = "Receive messages",
            description = "Delivers up to max_messages visible messages, each invisible to others until its"
                    + " visibility timeout passes or it is acked. With `wait`, blocks up to that many ms for"
                    + " messages to arrive; an empty list means none came. An unknown queue has no messages.")
    DequeueResponse dequeue(
            @PathVariable("queue_id") @Pattern(regexp = QUEUE_ID) String queueId,
            @RequestBody(required = false) @Valid DequeueRequest body)
            throws InterruptedException {
        DequeueRequest request = body == null ? DequeueRequest.DEFAULTS : body;
        if (request.waitOrZero().compareTo(maxWait) > 0) {
            throw new QueueProblem(QueueProblem.Kind.VALIDATION, "wait must be at most " + maxWait.toMillis() + " ms");
        }
        return new DequeueResponse(queues.dequeue(request.toCommand(queueId), request.waitOrZero()).stream()
                .map(d -> DequeueResponse.Message.of(d, codec))
                .toList());
    }

    @PostMapping("/{queue_id}/ack")
    @Operation(
            summary = "Acknowledge delivered messages",
            description = "One {message_id, receipt} object, answered 200, 404 (unknown queue or message) or 409"
                    + " (stale receipt: the message was delivered again, or its lease ended); or a list of up to"
                    + " 100 of them, answered 200 with one result per receipt (404 only for an unknown queue).")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = true,
            content = @Content(schema = @Schema(oneOf = {ReceiptRequest.class, ReceiptRequest[].class})))
    @ApiResponse(
            responseCode = "200",
            description = "Acknowledged",
            content = @Content(schema = @Schema(oneOf = {ReceiptResponse.class, AckResults.class})))
    Object ack(@PathVariable("queue_id") @Pattern(regexp = QUEUE_ID) String queueId, @RequestBody JsonNode body) {
        if (body.isArray()) {
            if (body.isEmpty() || body.size() > MAX_RECEIPTS) {
                throw new QueueProblem(
                        QueueProblem.Kind.VALIDATION, "a list of receipts holds 1.." + MAX_RECEIPTS + " of them");
            }
            List<QueueReceipt> receipts = new ArrayList<>(body.size());
            body.forEach(item -> receipts.add(receipt(item)));
            return new AckResults(queues.ack(queueId, receipts).stream()
                    .map(ReceiptResponse::of)
                    .toList());
        }
        QueueReceiptOutcome outcome =
                queues.ack(queueId, List.of(receipt(body))).getFirst();
        return switch (outcome.getStatus()) {
            case QUEUE_STATUS_OK -> ReceiptResponse.of(outcome);
            case QUEUE_STATUS_MESSAGE_NOT_FOUND ->
                throw new QueueProblem(QueueProblem.Kind.NOT_FOUND, outcome.getDetail());
            case QUEUE_STATUS_STALE_RECEIPT ->
                throw new QueueProblem(QueueProblem.Kind.STALE_RECEIPT, outcome.getDetail());
            default -> throw new QueueProblem(QueueProblem.Kind.VALIDATION, outcome.getDetail());
        };
    }

    @PostMapping("/{queue_id}/nack")
    @Operation(
            summary = "Give a delivered message back",
            description = "The message becomes visible again after delay_ms, or moves to the dead-letter queue if"
                    + " it has had delivery_limit deliveries.")
    ReceiptResponse nack(
            @PathVariable("queue_id") @Pattern(regexp = QUEUE_ID) String queueId,
            @RequestBody @Valid NackRequest request) {
        queues.nack(
                queueId,
                receipt(request.messageId(), request.receipt()),
                request.delayMs() == null ? 0 : request.delayMs());
        return new ReceiptResponse(request.messageId(), "nacked", null);
    }

    @PostMapping("/{queue_id}/visibility")
    @Operation(
            summary = "Extend the lease of a delivered message",
            description = "The message stays invisible to others until visibility_timeout ms from now.")
    ReceiptResponse visibility(
            @PathVariable("queue_id") @Pattern(regexp = QUEUE_ID) String queueId,
            @RequestBody @Valid VisibilityRequest request) {
        queues.changeVisibility(queueId, receipt(request.messageId(), request.receipt()), request.visibilityTimeout());
        return new ReceiptResponse(request.messageId(), "extended", null);
    }

    @PutMapping("/{queue_id}")
    @Operation(
            summary = "Create a queue or replace its configuration",
            description = "Absent fields take their defaults. Partitions may only grow while the queue holds"
                    + " messages (409 otherwise).")
    QueueView configure(
            @PathVariable("queue_id") @Pattern(regexp = QUEUE_ID) String queueId,
            @RequestBody @Valid QueueConfigBody config) {
        return QueueView.of(queues.configure(queueId, config.toCommand()));
    }

    @GetMapping("/{queue_id}")
    @Operation(summary = "A queue's counts, per partition too, and its configuration")
    QueueView describe(@PathVariable("queue_id") @Pattern(regexp = QUEUE_ID) String queueId) {
        return QueueView.of(queues.describe(queueId));
    }

    @GetMapping
    @Operation(summary = "Every queue's counts and configuration")
    QueueView.All list() {
        return new QueueView.All(queues.list().stream().map(QueueView::of).toList());
    }

    @DeleteMapping("/{queue_id}")
    @Operation(summary = "Delete a queue and every message it holds")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable("queue_id") @Pattern(regexp = QUEUE_ID) String queueId) {
        queues.delete(queueId);
    }

    private QueueReceipt receipt(JsonNode item) {
        ReceiptRequest r = json.treeToValue(item, ReceiptRequest.class);
        if (r == null || isBlank(r.messageId()) || isBlank(r.receipt())) {
            throw new QueueProblem(QueueProblem.Kind.VALIDATION, "every receipt needs a message_id and a receipt");
        }
        return receipt(r.messageId(), r.receipt());
    }

    private static QueueReceipt receipt(String messageId, String receipt) {
        return QueueReceipt.newBuilder()
                .setMessageId(messageId)
                .setReceipt(receipt)
                .build();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
