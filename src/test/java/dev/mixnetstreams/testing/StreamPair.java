package dev.mixnetstreams.testing;

import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.MixnetListener;
import dev.mixnetstreams.MixnetStream;
import dev.mixnetstreams.MixnetTransport;
import dev.mixnetstreams.sim.LoopbackMixnet;
import java.io.IOException;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The preamble of most stream tests, done once: two clients on an in-memory mixnet, the {@link
 * #client()} opens a stream to the {@link #server()} (and writes {@link Builder#firstBytes} to
 * it, if any), whose listener accepts it. {@link #opened()} and {@link #accepted()} are the two
 * ends. Closing the pair closes both clients and, if the pair made it, the mixnet.
 *
 * <pre>{@code
 * try (StreamPair pair = StreamPair.builder().server(b -> b.streamIdleTimeout(idle)).open()) {
 *     pair.opened().getOutputStream().write(1);
 *     assertEquals(1, pair.accepted().getInputStream().read());
 * }
 * }</pre>
 */
public final class StreamPair implements AutoCloseable {

    private final LoopbackMixnet ownMixnet;
    private final MixnetTransport serverTransport;
    private final MixnetTransport clientTransport;
    private final MixnetClient server;
    private final MixnetClient client;
    private final MixnetListener listener;
    private final MixnetStream opened;
    private final MixnetStream accepted;

    private StreamPair(LoopbackMixnet ownMixnet, MixnetTransport serverTransport, MixnetTransport clientTransport,
                       MixnetClient server, MixnetClient client, MixnetListener listener, MixnetStream opened,
                       MixnetStream accepted) {
        this.ownMixnet = ownMixnet;
        this.serverTransport = serverTransport;
        this.clientTransport = clientTransport;
        this.server = server;
        this.client = client;
        this.listener = listener;
        this.opened = opened;
        this.accepted = accepted;
    }

    /**
     * Opens a pair with default settings on a loopback mixnet of its own.
     *
     * @return the pair, its stream opened and accepted
     * @throws IOException if the stream cannot be opened or accepted
     */
    public static StreamPair open() throws IOException {
        return builder().open();
    }

    /**
     * Starts configuring a pair: by default on a loopback mixnet of its own, default settings.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the accepting client.
     *
     * @return the server
     */
    public MixnetClient server() {
        return server;
    }

    /**
     * Returns the opening client.
     *
     * @return the client
     */
    public MixnetClient client() {
        return client;
    }

    /**
     * Returns the server's listener, which accepted {@link #accepted()}.
     *
     * @return the listener
     */
    public MixnetListener listener() {
        return listener;
    }

    /**
     * Returns the client's end of the stream.
     *
     * @return the opened stream
     */
    public MixnetStream opened() {
        return opened;
    }

    /**
     * Returns the server's end of the stream.
     *
     * @return the accepted stream
     */
    public MixnetStream accepted() {
        return accepted;
    }

    /**
     * Returns the transport the server runs on.
     *
     * @return as the builder made it (wrapped, if the builder was told to wrap it)
     */
    public MixnetTransport serverTransport() {
        return serverTransport;
    }

    /**
     * Returns the transport the client runs on.
     *
     * @return as the builder made it (wrapped, if the builder was told to wrap it)
     */
    public MixnetTransport clientTransport() {
        return clientTransport;
    }

    /**
     * Returns the server's endpoint, on a pair that runs on its own loopback mixnet and did not
     * wrap it.
     *
     * @return the endpoint
     * @throws IllegalStateException if the server's transport is something else
     */
    public LoopbackMixnet.Endpoint serverEndpoint() {
        if (serverTransport instanceof LoopbackMixnet.Endpoint endpoint) {
            return endpoint;
        }
        throw new IllegalStateException("the server runs on " + serverTransport);
    }

    /** Closes both clients (which close their transports) and the pair's own mixnet. Idempotent. */
    @Override
    public void close() {
        client.close();
        server.close();
        if (ownMixnet != null) {
            ownMixnet.close();
        }
    }

    /** Configures a {@link StreamPair}. */
    public static final class Builder {

        private Supplier<MixnetTransport> endpoints;
        private UnaryOperator<MixnetClient.Builder> serverSettings = UnaryOperator.identity();
        private UnaryOperator<MixnetClient.Builder> clientSettings = UnaryOperator.identity();
        private UnaryOperator<MixnetTransport> serverWrapper = UnaryOperator.identity();
        private UnaryOperator<MixnetTransport> clientWrapper = UnaryOperator.identity();
        private byte[] firstBytes = new byte[0];

        private Builder() {
        }

        /**
         * Has the client write these bytes right after it opens the stream, before the server
         * accepts it (so on a network that reorders they may overtake the Open). Default none.
         *
         * @param bytes written as one write; empty for none
         * @return this builder
         */
        public Builder firstBytes(byte[] bytes) {
            this.firstBytes = bytes.clone();
            return this;
        }

        /**
         * Puts the clients on endpoints of another network (a {@code SimulatedMixnet}, say), which
         * the test closes; by default the pair makes a loopback mixnet of its own.
         *
         * @param newEndpoint makes one endpoint per call
         * @return this builder
         */
        public Builder network(Supplier<MixnetTransport> newEndpoint) {
            this.endpoints = Objects.requireNonNull(newEndpoint, "newEndpoint");
            return this;
        }

        /**
         * Changes the server's settings.
         *
         * @param settings applied to the server's builder
         * @return this builder
         */
        public Builder server(UnaryOperator<MixnetClient.Builder> settings) {
            this.serverSettings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * Changes the client's settings.
         *
         * @param settings applied to the client's builder
         * @return this builder
         */
        public Builder client(UnaryOperator<MixnetClient.Builder> settings) {
            this.clientSettings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * Puts the server on a transport in front of its endpoint (a {@code ControllableTransport},
         * say); {@link StreamPair#serverTransport()} returns it.
         *
         * @param wrapper makes the server's transport from its endpoint
         * @return this builder
         */
        public Builder serverTransport(UnaryOperator<MixnetTransport> wrapper) {
            this.serverWrapper = Objects.requireNonNull(wrapper, "wrapper");
            return this;
        }

        /**
         * Puts the client on a transport in front of its endpoint; {@link
         * StreamPair#clientTransport()} returns it.
         *
         * @param wrapper makes the client's transport from its endpoint
         * @return this builder
         */
        public Builder clientTransport(UnaryOperator<MixnetTransport> wrapper) {
            this.clientWrapper = Objects.requireNonNull(wrapper, "wrapper");
            return this;
        }

        /**
         * Builds both clients, opens a stream from the client to the server and accepts it.
         *
         * @return the pair
         * @throws IOException if the stream cannot be opened or accepted (everything made is closed)
         */
        public StreamPair open() throws IOException {
            LoopbackMixnet ownMixnet = endpoints == null ? LoopbackMixnet.builder().build() : null;
            Supplier<MixnetTransport> newEndpoint = ownMixnet != null ? ownMixnet::newEndpoint : endpoints;
            MixnetTransport serverTransport = serverWrapper.apply(newEndpoint.get());
            MixnetTransport clientTransport = clientWrapper.apply(newEndpoint.get());
            MixnetClient server = serverSettings.apply(MixnetClient.builder(serverTransport)).build();
            MixnetClient client = clientSettings.apply(MixnetClient.builder(clientTransport)).build();
            try {
                MixnetListener listener = server.listener();
                MixnetStream opened = client.openStream(server.address());
                opened.getOutputStream().write(firstBytes);
                MixnetStream accepted = listener.accept(Await.GIVE_UP);
                return new StreamPair(ownMixnet, serverTransport, clientTransport, server, client, listener, opened,
                        accepted);
            } catch (IOException | RuntimeException e) {
                client.close();
                server.close();
                if (ownMixnet != null) {
                    ownMixnet.close();
                }
                throw e;
            }
        }
    }
}
