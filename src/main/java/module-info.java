/**
 * mixnet-streams: many concurrent, ordered, blocking byte streams multiplexed over one Nym mixnet
 * client.
 */
module dev.mixnetstreams {
    requires org.slf4j;
    // NymClientTransport: the JDK's WebSocket client.
    requires java.net.http;
    // Optional: the JFR events (dev.mixnetstreams.internal.jfr) are off without it.
    requires static jdk.jfr;

    exports dev.mixnetstreams;
    exports dev.mixnetstreams.nymclient;
    exports dev.mixnetstreams.sim;
    exports dev.mixnetstreams.tunnel;
    exports dev.mixnetstreams.wire;
}
