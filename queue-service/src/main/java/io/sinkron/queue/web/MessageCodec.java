package io.sinkron.queue.web;

import com.google.protobuf.ByteString;
import io.sinkron.queue.QueueServiceProperties;
import io.sinkron.queue.service.QueueProblem;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Messages are stored as the compact JSON text of the value the producer sent, so a consumer gets
 * back the same string, object or number. The size limits apply to that text.
 */
@Component
class MessageCodec {

    private final JsonMapper json;
    private final long maxMessageBytes;
    private final long maxBatchBytes;

    MessageCodec(JsonMapper json, QueueServiceProperties properties) {
        this.json = json;
        this.maxMessageBytes = properties.maxMessageSize().toBytes();
        this.maxBatchBytes = properties.maxBatchSize().toBytes();
    }

    ByteString encode(JsonNode message) {
        if (message == null || message.isNull() || message.isMissingNode()) {
            throw new QueueProblem(QueueProblem.Kind.VALIDATION, "message is required");
        }
        if (message.isString() && message.asString().isEmpty()) {
            throw new QueueProblem(QueueProblem.Kind.VALIDATION, "message must not be empty");
        }
        byte[] bytes = json.writeValueAsBytes(message);
        if (bytes.length > maxMessageBytes) {
            throw new QueueProblem(
                    QueueProblem.Kind.PAYLOAD_TOO_LARGE,
                    "message is " + bytes.length + " bytes, more than the limit of " + maxMessageBytes);
        }
        return ByteString.copyFrom(bytes);
    }

    void checkBatch(long totalBytes) {
        if (totalBytes > maxBatchBytes) {
            throw new QueueProblem(
                    QueueProblem.Kind.PAYLOAD_TOO_LARGE,
                    "the messages total " + totalBytes + " bytes, more than the batch limit of " + maxBatchBytes);
        }
    }

    JsonNode decode(ByteString body) {
        return json.readTree(body.toByteArray());
    }
}
