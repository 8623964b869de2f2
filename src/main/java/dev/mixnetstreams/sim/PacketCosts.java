package dev.mixnetstreams.sim;

/**
 * What simulated nym-clients spent under a {@link NymCostModel}: Sphinx packets and reply SURBs.
 * Acknowledgements and cover traffic are not counted.
 *
 * @param packetsSent packets that left: data, replies, SURB requests and refills
 * @param surbsSent reply SURBs attached, to messages and to refills
 * @param surbsUsed reply SURBs spent by replies and by SURB requests
 * @param surbRequests requests for more SURBs sent
 * @param repliesDropped replies given up for want of SURBs (after the give-up time or too many requests)
 */
public record PacketCosts(long packetsSent, long surbsSent, long surbsUsed, long surbRequests, long repliesDropped) {

    /** Nothing spent. */
    public static final PacketCosts NONE = new PacketCosts(0, 0, 0, 0, 0);

    /**
     * Returns the sum of these costs and others.
     *
     * @param other the others
     * @return the sum
     */
    public PacketCosts plus(PacketCosts other) {
        return new PacketCosts(packetsSent + other.packetsSent, surbsSent + other.surbsSent,
                surbsUsed + other.surbsUsed, surbRequests + other.surbRequests, repliesDropped + other.repliesDropped);
    }
}
