package io.sinkron.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Loopback ports that were free a moment ago, for the cluster members the harness launches. */
final class FreePorts {

    private FreePorts() {}

    static int[] take(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                // Held open until all are chosen, so the n ports are distinct.
                var socket = new ServerSocket(0);
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (var socket : sockets) {
                socket.close();
            }
        }
    }
}
