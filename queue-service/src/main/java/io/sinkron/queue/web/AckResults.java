package io.sinkron.queue.web;

import java.util.List;

/** What an ack of a list of receipts answers: one result per receipt, in request order. */
public record AckResults(List<ReceiptResponse> results) {}
