package io.sinkron.consensus.statemachine.queue;

import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * The receipt of one delivery: the message id, the log index of the dequeue that delivered it and
 * the delivery count, as an opaque URL-safe string. Every delivery happens at a different log
 * index, so a redelivered message gets a new receipt and the old one is recognised as stale.
 * Receipts need not be unguessable: they guard against late consumers, not against attackers.
 */
record Receipt(long messageId, long deliveredAt, int deliveryCount) {

    private static final int BYTES = 8 + 8 + 4;

    String format() {
        ByteBuffer buffer = ByteBuffer.allocate(BYTES);
        buffer.putLong(messageId).putLong(deliveredAt).putInt(deliveryCount);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
    }

    /** The receipt {@code text} encodes, or {@code null} if it is not one. */
    static Receipt parse(String text) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (bytes.length != BYTES) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return new Receipt(buffer.getLong(), buffer.getLong(), buffer.getInt());
    }
}
