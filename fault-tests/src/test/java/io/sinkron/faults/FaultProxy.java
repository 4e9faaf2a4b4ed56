package io.sinkron.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 with one listening port per directed link between consensus nodes: node
 * {@code from} is told that peer {@code to} lives at the link's port, so every byte {@code from}
 * sends to {@code to} (and {@code to}'s answers on that connection) passes here. Each node's peer
 * streams are client streams it opens itself, so the link a connection arrived on names both ends.
 *
 * <p>Cutting a link closes its open connections (both sockets, so both sides see the connection
 * reset) and closes every new connection as soon as it is accepted, until the link is healed. No
 * byte read from one side of a cut link is written to the other.
 */
final class FaultProxy implements AutoCloseable {

    private final Map<String, Link> links = new ConcurrentHashMap<>();

    /** The address at which node {@code from} reaches node {@code to} (listening on {@code targetPort}). */
    synchronized String link(int from, int to, int targetPort) throws IOException {
        Link link = links.get(key(from, to));
        if (link == null) {
            link = new Link(from, to, targetPort);
            links.put(key(from, to), link);
            link.start();
        }
        return "127.0.0.1:" + link.server.getLocalPort();
    }

    /**
     * Lets traffic flow only between nodes that share a component: a link is cut unless some
     * component holds both its ends. {@code [{0}, {1, 2}]} isolates node 0; {@code [{0, 1}, {1, 2}]}
     * is a bridge through node 1.
     */
    void partition(List<Set<Integer>> components) {
        for (Link link : links.values()) {
            boolean connected = components.stream().anyMatch(c -> c.contains(link.from) && c.contains(link.to));
            link.setCut(!connected);
        }
    }

    /** Heals every link. */
    void heal() {
        links.values().forEach(link -> link.setCut(false));
    }

    /** Bytes forwarded on the link from {@code from} to {@code to}, in both directions. */
    long bytes(int from, int to) {
        Link link = links.get(key(from, to));
        return link == null ? 0 : link.bytes.get();
    }

    /** Connections closed on arrival at the link because it was cut. */
    long refused(int from, int to) {
        Link link = links.get(key(from, to));
        return link == null ? 0 : link.refused.get();
    }

    /** The port node {@code from} uses to reach node {@code to}. */
    int port(int from, int to) {
        return links.get(key(from, to)).server.getLocalPort();
    }

    @Override
    public void close() {
        links.values().forEach(Link::close);
    }

    private static String key(int from, int to) {
        return from + ">" + to;
    }

    /** One directed link: a listening socket, the connections it accepted, its state. */
    private static final class Link {
        final int from;
        final int to;
        final int targetPort;
        final ServerSocket server;
        final Set<Socket> open = ConcurrentHashMap.newKeySet();
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        volatile boolean cut;

        Link(int from, int to, int targetPort) throws IOException {
            this.from = from;
            this.to = to;
            this.targetPort = targetPort;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        }

        void start() {
            Thread.ofVirtual().name("proxy-" + from + "-" + to).start(this::acceptLoop);
        }

        synchronized void setCut(boolean cut) {
            this.cut = cut;
            if (cut) {
                closeAll(open);
            }
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                Socket client;
                try {
                    client = server.accept();
                } catch (IOException closed) {
                    return;
                }
                if (cut) {
                    refused.incrementAndGet();
                    closeQuietly(client);
                    continue;
                }
                Thread.ofVirtual().start(() -> connect(client));
            }
        }

        private void connect(Socket client) {
            Socket upstream = new Socket();
            try {
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2_000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
            } catch (IOException e) {
                // The peer is down: the client sees its connection closed, as with no proxy.
                closeQuietly(client);
                closeQuietly(upstream);
                return;
            }
            synchronized (this) {
                if (cut) {
                    refused.incrementAndGet();
                    closeQuietly(client);
                    closeQuietly(upstream);
                    return;
                }
                open.add(client);
                open.add(upstream);
            }
            Thread.ofVirtual().start(() -> pump(client, upstream));
            pump(upstream, client);
        }

        private void pump(Socket source, Socket target) {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = source.getInputStream();
                    OutputStream out = target.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (cut) {
                        break;
                    }
                    out.write(buffer, 0, n);
                    bytes.addAndGet(n);
                }
            } catch (IOException closed) {
                // Either side went away, or the link was cut.
            } finally {
                closeQuietly(source);
                closeQuietly(target);
                open.remove(source);
                open.remove(target);
            }
        }

        void close() {
            closeQuietly(server);
            closeAll(open);
        }
    }

    private static void closeAll(Collection<Socket> sockets) {
        for (Socket s : List.copyOf(sockets)) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // Closing is all that is wanted.
        }
    }
}
