package dev.mixnetstreams;

import dev.mixnetstreams.internal.ArgumentChecks;

/**
 * How a mixnet client cuts messages into Sphinx packets: what a transport tells the stream layer
 * so that it cuts frames to fill whole packets and knows what a reply SURB costs.
 *
 * <p>An anonymous message (one that carries {@code k} reply SURBs) takes
 * {@code ceil((anonymousOverhead + k × surbBytes + message) / packetBytes)} packets; a reply takes
 * {@code ceil((replyOverhead + message) / packetBytes)} packets and spends one reply SURB per
 * packet. A message padded to whole packets costs as much as the packets it fills, so a frame is
 * best cut to fill them.
 *
 * @param packetBytes message bytes one packet carries (1,604 for the nym-client's regular packets)
 * @param anonymousOverhead bytes an anonymous message adds before its SURBs and content (23)
 * @param replyOverhead bytes a reply adds to its content (3)
 * @param surbBytes bytes of one reply SURB inside a message (1,164 in the legacy format a default
 *     nym-client uses, 460 in the newer one)
 */
public record PacketGeometry(int packetBytes, int anonymousOverhead, int replyOverhead, int surbBytes) {

    /** A default nym-client's packets with legacy reply SURBs (its {@code use_legacy_sphinx_format}). */
    public static final PacketGeometry NYM_LEGACY_SURBS = new PacketGeometry(1604, 23, 3, 1164);
    /** A nym-client's packets with reply SURBs in the newer, smaller format. */
    public static final PacketGeometry NYM_CURRENT_SURBS = new PacketGeometry(1604, 23, 3, 460);

    /** The stream frame's header, inside every message's content. */
    private static final int FRAME_HEADER = 16;

    /**
     * Checks the values.
     *
     * @param packetBytes positive
     * @param anonymousOverhead not negative
     * @param replyOverhead not negative
     * @param surbBytes positive
     */
    public PacketGeometry {
        ArgumentChecks.positive(packetBytes, "packetBytes");
        ArgumentChecks.notNegative(anonymousOverhead, "anonymousOverhead");
        ArgumentChecks.notNegative(replyOverhead, "replyOverhead");
        ArgumentChecks.positive(surbBytes, "surbBytes");
    }

    /**
     * Returns how many packets an anonymous message takes.
     *
     * @param messageBytes the message's content (a whole frame)
     * @param surbs reply SURBs it carries
     * @return packets, at least 1
     */
    public int anonymousPackets(long messageBytes, int surbs) {
        return packets(anonymousOverhead + (long) surbBytes * surbs + messageBytes);
    }

    /**
     * Returns how many packets (and so reply SURBs) a reply takes.
     *
     * @param messageBytes the message's content (a whole frame)
     * @return packets, at least 1
     */
    public int replyPackets(long messageBytes) {
        return packets(replyOverhead + messageBytes);
    }

    /**
     * Returns the largest frame payload that fills {@code packets} packets of an anonymous message
     * with {@code surbs} reply SURBs.
     *
     * @param packets 1 or more
     * @param surbs reply SURBs the message carries
     * @return payload bytes, 0 if not even an empty frame fits
     */
    public int anonymousPayloadFilling(int packets, int surbs) {
        return (int) Math.max(0, (long) packets * packetBytes - anonymousOverhead - (long) surbBytes * surbs
                - FRAME_HEADER);
    }

    /**
     * Returns the largest frame payload that fills {@code packets} packets of a reply.
     *
     * @param packets 1 or more
     * @return payload bytes
     */
    public int replyPayloadFilling(int packets) {
        return (int) Math.max(0, (long) packets * packetBytes - replyOverhead - FRAME_HEADER);
    }

    /**
     * Returns how many reply SURBs ride free in the padding of an anonymous message's last packet:
     * what it may carry without taking one more packet.
     *
     * @param messageBytes the message's content (a whole frame)
     * @param surbs reply SURBs it carries already
     * @return more SURBs that fit the packets it takes anyway
     */
    public int freeSurbs(long messageBytes, int surbs) {
        long used = anonymousOverhead + (long) surbBytes * surbs + messageBytes;
        long padding = (long) packets(used) * packetBytes - used;
        return (int) (padding / surbBytes);
    }

    private int packets(long bytes) {
        return (int) Math.max(1, (bytes + packetBytes - 1) / packetBytes);
    }
}
