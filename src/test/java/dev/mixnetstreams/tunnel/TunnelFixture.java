package dev.mixnetstreams.tunnel;

import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.sim.SimulatedMixnet;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

/**
 * Both tunnel ends joined by a jittery seeded simulated mixnet (latency 0-20 ms, 2 % duplicates),
 * so messages overtake each other and arrive twice, as on the real network.
 */
final class TunnelFixture implements AutoCloseable {

    /** Guards against hangs only; no test relies on how long anything takes. */
    static final Duration HANG_GUARD = Duration.ofSeconds(60);

    final SimulatedMixnet mixnet;
    final MixnetClient serverClient;
    final MixnetClient clientClient;
    final TunnelServer server;
    final TunnelClient client;

    TunnelFixture(InetSocketAddress upstream, TunnelConfig clientConfig, TunnelConfig serverConfig, long seed)
            throws IOException {
        this(upstream, clientConfig, serverConfig, seed, null, null);
    }

    /** With {@code clientLog} and {@code serverLog} (null: the classes' own loggers) to see what each end logs. */
    TunnelFixture(InetSocketAddress upstream, TunnelConfig clientConfig, TunnelConfig serverConfig, long seed,
                  Logger clientLog, Logger serverLog) throws IOException {
        this(upstream, clientConfig, serverConfig, seed, 0, clientLog, serverLog);
    }

    /** With {@code lossRate} of every message (data and control frames alike) lost on the way. */
    TunnelFixture(InetSocketAddress upstream, long seed, double lossRate) throws IOException {
        this(upstream, TunnelConfig.defaults(), TunnelConfig.defaults(), seed, lossRate, null, null);
    }

    private TunnelFixture(InetSocketAddress upstream, TunnelConfig clientConfig, TunnelConfig serverConfig, long seed,
                          double lossRate, Logger clientLog, Logger serverLog) throws IOException {
        mixnet = SimulatedMixnet.builder()
                .latency(Duration.ZERO, Duration.ofMillis(20))
                .duplicateRate(0.02)
                .lossRate(lossRate)
                .seed(seed)
                .build();
        serverClient = MixnetClient.builder(mixnet.newEndpoint()).build();
        clientClient = MixnetClient.builder(mixnet.newEndpoint()).build();
        server = serverLog == null ? TunnelServer.start(serverClient.listener(), upstream, serverConfig)
                : TunnelServer.start(serverClient.listener(), upstream, serverConfig, TunnelEnvironment.real(serverLog));
        if (clientLog == null) {
            client = TunnelClient.start(clientClient, serverClient.address(),
                    new InetSocketAddress("127.0.0.1", 0), clientConfig);
        } else {
            ServerSocket bound = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            client = TunnelClient.start(clientClient, serverClient.address(), bound, clientConfig,
                    TunnelEnvironment.real(clientLog));
        }
    }

    /** Both ends connecting onward at once: for upstreams that speak first. */
    static TunnelConfig serverSpeaksFirst() {
        return TunnelConfig.builder().connectOnAccept(true).build();
    }

    TunnelFixture(InetSocketAddress upstream, long seed) throws IOException {
        this(upstream, TunnelConfig.defaults(), TunnelConfig.defaults(), seed);
    }

    /** A new local connection to the tunnel client, with a read timeout as a hang guard. */
    Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(client.localAddress(), (int) HANG_GUARD.toMillis());
        socket.setSoTimeout((int) HANG_GUARD.toMillis());
        return socket;
    }

    void awaitDrained() throws InterruptedException {
        if (!client.awaitActiveConnections(0, HANG_GUARD)) {
            throw new AssertionError("tunnel client connections did not end: " + client.stats().summary());
        }
        if (!server.awaitActiveConnections(0, HANG_GUARD)) {
            throw new AssertionError("tunnel server connections did not end: " + server.stats().summary());
        }
    }

    @Override
    public void close() {
        client.close();
        server.close();
        clientClient.close();
        serverClient.close();
        mixnet.close();
    }

    static byte[] randomBytes(long seed, int length) {
        byte[] bytes = new byte[length];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static <T> T get(Future<T> future) throws Exception {
        try {
            return future.get(HANG_GUARD.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new AssertionError("hang guard: no result after " + HANG_GUARD, e);
        }
    }

    /** Reads exactly {@code n} bytes or fails. */
    static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length != n) {
            throw new IOException("end of stream after " + bytes.length + " of " + n + " bytes");
        }
        return bytes;
    }

    /** A TCP server on 127.0.0.1 that runs {@code handler} on a virtual thread per connection. */
    static final class Upstream implements AutoCloseable {
        interface Handler {
            void handle(Socket socket) throws Exception;
        }

        final ServerSocket serverSocket;
        final CompletableFuture<Void> acceptLoop;
        /** Connections accepted so far. */
        final AtomicInteger accepted = new AtomicInteger();

        Upstream(Handler handler) throws IOException {
            serverSocket = new ServerSocket(0, 256, java.net.InetAddress.getLoopbackAddress());
            acceptLoop = CompletableFuture.runAsync(() -> {
                while (true) {
                    Socket socket;
                    try {
                        socket = serverSocket.accept();
                    } catch (IOException e) {
                        return;
                    }
                    accepted.incrementAndGet();
                    Thread.startVirtualThread(() -> {
                        try (socket) {
                            handler.handle(socket);
                        } catch (Exception e) {
                            // the test's own futures report what matters
                        }
                    });
                }
            }, r -> Thread.ofVirtual().start(r));
        }

        InetSocketAddress address() {
            return (InetSocketAddress) serverSocket.getLocalSocketAddress();
        }

        @Override
        public void close() throws IOException {
            serverSocket.close();
        }
    }
}
