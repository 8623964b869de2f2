/**
 * mixnet-streams: many concurrent, ordered, blocking byte streams multiplexed over one Nym mixnet
 * client.
 */
module dev.mixnetstreams {
    requires org.slf4j;

    exports dev.mixnetstreams;
    exports dev.mixnetstreams.sim;
    exports dev.mixnetstreams.tunnel;
    exports dev.mixnetstreams.wire;
}
