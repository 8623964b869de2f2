/**
 * mixnet-streams: many concurrent, ordered, blocking byte streams multiplexed over one Nym mixnet
 * client.
 */
module dev.mixnetstreams {
    requires org.slf4j;
    // Optional: the JFR events (dev.mixnetstreams.internal.jfr) are off without it.
    requires static jdk.jfr;

    exports dev.mixnetstreams;
    exports dev.mixnetstreams.sim;
    exports dev.mixnetstreams.wire;
}
