package io.sinkron.consensus.api;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Sends response headers as soon as a streaming call starts, so a client learns that its event
 * subscription is established (and can reconcile) before the first event arrives, and that a
 * multiplexed stream was accepted before its first answer.
 */
public final class EagerHeaders implements ServerInterceptor {

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        MethodDescriptor.MethodType type = call.getMethodDescriptor().getType();
        if (type != MethodDescriptor.MethodType.SERVER_STREAMING
                && type != MethodDescriptor.MethodType.BIDI_STREAMING) {
            return next.startCall(call, headers);
        }
        call.sendHeaders(new Metadata());
        return next.startCall(
                new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                    @Override
                    public void sendHeaders(Metadata ignored) {
                        // Already sent.
                    }
                },
                headers);
    }
}
