package dev.mixnetstreams.bench;

import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.MixnetListener;
import dev.mixnetstreams.MixnetStream;
import dev.mixnetstreams.MixnetTransport;
import dev.mixnetstreams.sim.LoopbackMixnet;
import java.io.IOException;

/**
 * The in-memory network every benchmark that needs a transport runs over, and the only place that
 * names its implementation: a zero-latency network whose send puts the message into the
 * receiver's bounded inbound queue on the sender's thread, so what is measured on top of it is the
 * cost of whatever uses it. Changing the implementation is a change to the one field below.
 */
final class BenchNetwork {

    /** The implementation: the one line to change when the network is replaced. */
    private final LoopbackMixnet network = LoopbackMixnet.builder().seed(7).build();

    /** Creates an empty network. */
    BenchNetwork() {
    }

    /**
     * Creates an endpoint with a fresh address.
     *
     * @return the endpoint; the caller closes it
     */
    MixnetTransport newEndpoint() {
        return network.newEndpoint();
    }

    /**
     * Creates two clients over fresh endpoints, with the default settings, the second listening.
     *
     * @return the pair; the caller closes it
     */
    ClientPair newClientPair() {
        return new ClientPair(MixnetClient.builder(newEndpoint()).build(), MixnetClient.builder(newEndpoint()).build());
    }

    /**
     * Two clients: streams are opened by the first and accepted by the second.
     */
    static final class ClientPair implements AutoCloseable {
        private final MixnetClient opener;
        private final MixnetClient acceptor;
        private final MixnetListener listener;

        private ClientPair(MixnetClient opener, MixnetClient acceptor) {
            this.opener = opener;
            this.acceptor = acceptor;
            this.listener = acceptor.listener();
        }

        /**
         * Opens a stream from the first client to the second and accepts it there.
         *
         * @return both ends
         * @throws IOException if the stream cannot be opened or accepted
         */
        StreamPair connect() throws IOException {
            MixnetStream opened = opener.openStream(acceptor.address());
            return new StreamPair(opened, listener.accept());
        }

        /** Closes both clients, which ends their streams and wakes their readers. */
        @Override
        public void close() {
            opener.close();
            acceptor.close();
        }
    }

    /**
     * Both ends of one stream.
     *
     * @param opened the opener's end
     * @param accepted the acceptor's end
     */
    record StreamPair(MixnetStream opened, MixnetStream accepted) {
    }
}
