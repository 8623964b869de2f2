package dev.mixnetstreams.sim;

import dev.mixnetstreams.MixnetTransport;
import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.SenderTag;
import java.util.Objects;

/**
 * One message a {@link LoopbackMixnet.Endpoint} sent, as its {@linkplain
 * LoopbackMixnet.Endpoint#onSend observers} see it: how it was sent, where to, and its bytes.
 *
 * @param kind which of the transport's three ways of sending was used
 * @param recipient where it went ({@link Kind#SEND} and {@link Kind#SEND_ANONYMOUS}); {@code null}
 *     for a {@link Kind#REPLY}, whose sender does not know where it goes
 * @param senderTag for {@link Kind#SEND_ANONYMOUS}, the tag the recipient gets with it; for {@link
 *     Kind#REPLY}, the tag replied to; {@code null} for {@link Kind#SEND}
 * @param replySurbs for {@link Kind#SEND_ANONYMOUS}, how many reply SURBs the sender attached; 0
 *     otherwise
 * @param lane the lane it was sent on ({@link MixnetTransport#sendAnonymous(Recipient, byte[], int,
 *     long)}), 0 for none
 * @param data the message's bytes: the sender's array itself, which it promised not to change
 */
public record SentMessage(Kind kind, Recipient recipient, SenderTag senderTag, int replySurbs, long lane,
                          byte[] data) {

    /** The transport's three ways of sending. */
    public enum Kind {
        /** {@link MixnetTransport#send}: the receiver gets no sender tag. */
        SEND,
        /** {@link MixnetTransport#sendAnonymous}: with reply SURBs; the receiver gets a sender tag. */
        SEND_ANONYMOUS,
        /** {@link MixnetTransport#reply}: to a sender tag; the receiver gets no sender tag. */
        REPLY
    }

    /**
     * Checks that the kind and the data are present.
     *
     * @param kind how it was sent
     * @param recipient where it went, or {@code null} for a reply
     * @param senderTag the tag it carried or replied to, or {@code null} for a plain send
     * @param replySurbs the reply SURBs attached, 0 unless anonymous
     * @param lane the lane, 0 for none
     * @param data the message's bytes
     */
    public SentMessage {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(data, "data");
    }

    /**
     * Describes the message without its bytes.
     *
     * @return for example {@code SentMessage[SEND_ANONYMOUS to <address>, 10 SURBs, tag <tag>, 16 bytes]}
     */
    @Override
    public String toString() {
        return "SentMessage[" + kind + (recipient != null ? " to " + recipient : "")
                + (kind == Kind.SEND_ANONYMOUS ? ", " + replySurbs + " SURBs" : "")
                + (senderTag != null ? ", tag " + senderTag : "") + (lane != 0 ? ", lane " + lane : "") + ", "
                + data.length + " bytes]";
    }
}
