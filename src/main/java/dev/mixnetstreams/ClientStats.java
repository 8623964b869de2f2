package dev.mixnetstreams;

import java.util.Map;

/**
 * A snapshot of one client's counters, from {@link MixnetClient#stats()}.
 *
 * @param framesIn stream frames received and decoded (every type this version knows)
 * @param framesOut Open and Data frames sent (OpenAck, Ping and Pong are counted on their own)
 * @param bytesIn payload bytes received in Data frames that were accepted
 * @param bytesOut payload bytes sent in Open and Data frames
 * @param packetsOut Sphinx packets the frames sent take, every kind, by the transport's {@link
 *     PacketGeometry} (what its mixnet client emits for them, acknowledgements and cover traffic
 *     aside); 0 over a transport that reports none
 * @param surbsSent reply SURBs attached to the frames sent; 0 over a transport that reports no
 *     packet geometry
 * @param messagesIn messages taken from the transport, of any kind
 * @param drops messages or frames dropped, by reason (every reason present, zero or not)
 * @param dataLossEvents gaps reported to readers (skip-ahead past messages that never came)
 * @param earlyFramesHeld Data frames held because they overtook their stream's Open
 * @param earlyFramesDelivered held Data frames handed to their stream when the Open came
 * @param streamsOpened streams this client opened
 * @param streamsAccepted streams registered from a peer's Open
 * @param streamsReaped streams closed by the idle timeout
 * @param streamsReset streams reset for exceeding their limit on unread bytes
 * @param streamsUnresponsive opened streams failed because their peer left three keepalive Pings
 *     unanswered
 * @param openAcksSent OpenAcks sent, one per stream accepted by the application
 * @param openAcksReceived OpenAcks received for streams opened here
 * @param pingsSent keepalive Pings that left
 * @param pingsReceived Pings received for open streams (each answered with a Pong)
 * @param pongsSent Pongs sent
 * @param pongsReceived Pongs received for open streams, matching or stale
 * @param controlFramesDropped streams whose waiting end of stream, OpenAck, Ping or Pong was given
 *     up because too many streams waited for the transport at once
 * @param resetsSent RESET frames sent to peers of this library (abort, limits, closing with data unread)
 * @param resetsReceived RESET frames received from peers of this library for open streams
 * @param openStreams streams registered now and not closed
 */
public record ClientStats(
        long framesIn,
        long framesOut,
        long bytesIn,
        long bytesOut,
        long packetsOut,
        long surbsSent,
        long messagesIn,
        Map<DropReason, Long> drops,
        long dataLossEvents,
        long earlyFramesHeld,
        long earlyFramesDelivered,
        long streamsOpened,
        long streamsAccepted,
        long streamsReaped,
        long streamsReset,
        long streamsUnresponsive,
        long openAcksSent,
        long openAcksReceived,
        long pingsSent,
        long pingsReceived,
        long pongsSent,
        long pongsReceived,
        long controlFramesDropped,
        long resetsSent,
        long resetsReceived,
        long openStreams) {

    /**
     * Copies the drop map so the snapshot cannot change.
     *
     * @param framesIn frames in
     * @param framesOut frames out
     * @param bytesIn bytes in
     * @param bytesOut bytes out
     * @param packetsOut packets out
     * @param surbsSent reply SURBs sent
     * @param messagesIn messages in
     * @param drops drops by reason
     * @param dataLossEvents gaps reported
     * @param earlyFramesHeld early frames held
     * @param earlyFramesDelivered early frames delivered
     * @param streamsOpened streams opened
     * @param streamsAccepted streams accepted
     * @param streamsReaped streams reaped
     * @param streamsReset streams reset
     * @param streamsUnresponsive streams whose peer stopped answering
     * @param openAcksSent OpenAcks sent
     * @param openAcksReceived OpenAcks received
     * @param pingsSent Pings sent
     * @param pingsReceived Pings received
     * @param pongsSent Pongs sent
     * @param pongsReceived Pongs received
     * @param controlFramesDropped streams whose control frames were given up
     * @param resetsSent RESETs sent
     * @param resetsReceived RESETs received
     * @param openStreams open streams
     */
    public ClientStats {
        drops = Map.copyOf(drops);
    }

    /**
     * Returns how many were dropped for one reason.
     *
     * @param reason the reason
     * @return the count
     */
    public long dropped(DropReason reason) {
        return drops.getOrDefault(reason, 0L);
    }

    /**
     * Returns how many were dropped in all.
     *
     * @return the sum over every reason
     */
    public long droppedTotal() {
        return drops.values().stream().mapToLong(Long::longValue).sum();
    }
}
