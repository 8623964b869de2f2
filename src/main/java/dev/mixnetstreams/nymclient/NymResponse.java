package dev.mixnetstreams.nymclient;

import dev.mixnetstreams.InboundMessage;
import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.SenderTag;
import java.util.Objects;

/**
 * A response nym-client sends to its client (see {@link NymCodec} for the byte layouts).
 *
 * <p>{@link Received} keeps its array (no copy) and compares it by identity; compare encodings
 * ({@link NymCodec#encode(NymResponse)}) to compare contents.
 */
public sealed interface NymResponse {

    /** Tag of {@link Error}. */
    int ERROR = 0x00;
    /** Tag of {@link Received}. */
    int RECEIVED = 0x01;
    /** Tag of {@link SelfAddress}. */
    int SELF_ADDRESS = 0x02;
    /** Tag of {@link LaneQueueLength}. */
    int LANE_QUEUE_LENGTH = 0x03;

    /**
     * Returns the response's tag, its first byte.
     *
     * @return 0x00 to 0x03
     */
    int tag();

    /**
     * Error (0x00): nym-client could not handle a request.
     *
     * @param kind what went wrong, an unsigned byte: see the {@code KIND_*} constants
     * @param message the explanation, UTF-8 on the wire (malformed UTF-8 is replaced by U+FFFD)
     */
    record Error(int kind, String message) implements NymResponse {

        /** The request was empty. */
        public static final int KIND_EMPTY_REQUEST = 0x01;
        /** The request was shorter than its layout. */
        public static final int KIND_TOO_SHORT_REQUEST = 0x02;
        /** The request's tag is unknown. */
        public static final int KIND_UNKNOWN_REQUEST = 0x03;
        /** The request was malformed (for example a length prefix that does not match). */
        public static final int KIND_MALFORMED_REQUEST = 0x04;
        /** The response was empty. */
        public static final int KIND_EMPTY_RESPONSE = 0x80;
        /** The response was shorter than its layout. */
        public static final int KIND_TOO_SHORT_RESPONSE = 0x81;
        /** The response's tag is unknown. */
        public static final int KIND_UNKNOWN_RESPONSE = 0x82;
        /** The response was malformed. */
        public static final int KIND_MALFORMED_RESPONSE = 0x83;
        /** Any other failure. */
        public static final int KIND_OTHER = 0xFF;

        /**
         * Checks the fields.
         *
         * @param kind 0 to 255
         * @param message not null
         */
        public Error {
            if (kind < 0 || kind > 0xFF) {
                throw new IllegalArgumentException("error kind is one byte: " + kind);
            }
            Objects.requireNonNull(message, "message");
        }

        /**
         * Names a kind for logs.
         *
         * @param kind an error kind
         * @return for example {@code "malformed request (0x04)"}
         */
        public static String kindName(int kind) {
            String name = switch (kind) {
                case KIND_EMPTY_REQUEST -> "empty request";
                case KIND_TOO_SHORT_REQUEST -> "too-short request";
                case KIND_UNKNOWN_REQUEST -> "unknown request";
                case KIND_MALFORMED_REQUEST -> "malformed request";
                case KIND_EMPTY_RESPONSE -> "empty response";
                case KIND_TOO_SHORT_RESPONSE -> "too-short response";
                case KIND_UNKNOWN_RESPONSE -> "unknown response";
                case KIND_MALFORMED_RESPONSE -> "malformed response";
                case KIND_OTHER -> "other";
                default -> "unknown kind";
            };
            return name + String.format(" (0x%02x)", kind);
        }

        @Override
        public int tag() {
            return ERROR;
        }
    }

    /**
     * Received (0x01): a message from the mixnet.
     *
     * @param senderTag the sender's tag if it sent reply SURBs, else {@code null}
     * @param data the message
     */
    record Received(SenderTag senderTag, byte[] data) implements NymResponse {
        /**
         * Checks the fields.
         *
         * @param senderTag may be null
         * @param data not null
         */
        public Received {
            Objects.requireNonNull(data, "data");
        }

        /**
         * Returns the message as the library's inbound message (sharing the array).
         *
         * @return the inbound message
         */
        public InboundMessage toInboundMessage() {
            return new InboundMessage(data, senderTag);
        }

        @Override
        public int tag() {
            return RECEIVED;
        }
    }

    /**
     * SelfAddress (0x02): nym-client's own address.
     *
     * @param address the address
     */
    record SelfAddress(Recipient address) implements NymResponse {
        /**
         * Checks the field.
         *
         * @param address not null
         */
        public SelfAddress {
            Objects.requireNonNull(address, "address");
        }

        @Override
        public int tag() {
            return SELF_ADDRESS;
        }
    }

    /**
     * LaneQueueLength (0x03): how many messages wait in a connection's lane.
     *
     * @param lane the connection id
     * @param queueLength the messages waiting (unsigned 64-bit, as a {@code long})
     */
    record LaneQueueLength(long lane, long queueLength) implements NymResponse {
        @Override
        public int tag() {
            return LANE_QUEUE_LENGTH;
        }
    }
}
