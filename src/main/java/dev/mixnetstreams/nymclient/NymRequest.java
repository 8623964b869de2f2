package dev.mixnetstreams.nymclient;

import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.SenderTag;
import java.util.Objects;

/**
 * A request a client sends to nym-client (see {@link NymCodec} for the byte layouts).
 *
 * <p>Records holding a {@code byte[]} keep the caller's array (no copy) and compare it by identity;
 * compare encodings ({@link NymCodec#encode(NymRequest)}) to compare contents.
 */
public sealed interface NymRequest {

    /** Tag of {@link Send}. */
    int SEND = 0x00;
    /** Tag of {@link SendAnonymous}. */
    int SEND_ANONYMOUS = 0x01;
    /** Tag of {@link Reply}. */
    int REPLY = 0x02;
    /** Tag of {@link SelfAddress}. */
    int SELF_ADDRESS = 0x03;
    /** Tag of {@link ClosedConnection}. */
    int CLOSED_CONNECTION = 0x04;
    /** Tag of {@link GetLaneQueueLength}. */
    int GET_LANE_QUEUE_LENGTH = 0x05;

    /**
     * Returns the request's tag, its first byte.
     *
     * @return 0x00 to 0x05
     */
    int tag();

    /**
     * Send (0x00): the receiver gets the message with no sender tag.
     *
     * @param recipient where to send
     * @param connectionId 0 for none; with another id nym-client answers with a lane queue length
     * @param data the message
     */
    record Send(Recipient recipient, long connectionId, byte[] data) implements NymRequest {
        /**
         * Checks the fields.
         *
         * @param recipient not null
         * @param connectionId any
         * @param data not null
         */
        public Send {
            Objects.requireNonNull(recipient, "recipient");
            Objects.requireNonNull(data, "data");
        }

        @Override
        public int tag() {
            return SEND;
        }
    }

    /**
     * SendAnonymous (0x01): the message goes with reply SURBs; the receiver gets a sender tag.
     *
     * @param recipient where to send
     * @param replySurbs reply SURBs to attach, an unsigned 32-bit number (as an {@code int})
     * @param connectionId 0 for none
     * @param data the message
     */
    record SendAnonymous(Recipient recipient, int replySurbs, long connectionId, byte[] data) implements NymRequest {
        /**
         * Checks the fields.
         *
         * @param recipient not null
         * @param replySurbs read as unsigned
         * @param connectionId any
         * @param data not null
         */
        public SendAnonymous {
            Objects.requireNonNull(recipient, "recipient");
            Objects.requireNonNull(data, "data");
        }

        @Override
        public int tag() {
            return SEND_ANONYMOUS;
        }
    }

    /**
     * Reply (0x02): a message to the sender behind a tag, using its reply SURBs.
     *
     * @param senderTag the tag a received message carried
     * @param connectionId 0 for none
     * @param data the message
     */
    record Reply(SenderTag senderTag, long connectionId, byte[] data) implements NymRequest {
        /**
         * Checks the fields.
         *
         * @param senderTag not null
         * @param connectionId any
         * @param data not null
         */
        public Reply {
            Objects.requireNonNull(senderTag, "senderTag");
            Objects.requireNonNull(data, "data");
        }

        @Override
        public int tag() {
            return REPLY;
        }
    }

    /** SelfAddress (0x03): asks for nym-client's own address. */
    record SelfAddress() implements NymRequest {
        @Override
        public int tag() {
            return SELF_ADDRESS;
        }
    }

    /**
     * ClosedConnection (0x04): tells nym-client a connection id is finished.
     *
     * @param connectionId the id
     */
    record ClosedConnection(long connectionId) implements NymRequest {
        @Override
        public int tag() {
            return CLOSED_CONNECTION;
        }
    }

    /**
     * GetLaneQueueLength (0x05): asks how many messages wait in a connection's lane.
     *
     * @param connectionId the id
     */
    record GetLaneQueueLength(long connectionId) implements NymRequest {
        @Override
        public int tag() {
            return GET_LANE_QUEUE_LENGTH;
        }
    }
}
