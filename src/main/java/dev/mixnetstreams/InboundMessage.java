package dev.mixnetstreams;

import java.util.Objects;
import java.util.Optional;

/**
 * One message received from the mixnet.
 *
 * @param data the message's bytes (owned by the receiver from now on)
 * @param senderTag the sender's tag if it sent reply SURBs ({@link MixnetTransport#sendAnonymous}),
 *     else {@code null}
 */
public record InboundMessage(byte[] data, SenderTag senderTag) {

    /**
     * Checks the data is present.
     *
     * @param data the message's bytes
     * @param senderTag the sender's tag or {@code null}
     */
    public InboundMessage {
        Objects.requireNonNull(data, "data");
    }

    /**
     * Returns the sender tag, if the sender attached reply SURBs.
     *
     * @return the tag, or empty for a plain {@link MixnetTransport#send}
     */
    public Optional<SenderTag> optionalSenderTag() {
        return Optional.ofNullable(senderTag);
    }
}
