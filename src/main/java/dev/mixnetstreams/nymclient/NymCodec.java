package dev.mixnetstreams.nymclient;

import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.SenderTag;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The nym-client WebSocket binary API, byte for byte (PROTOCOL.md, section 7). Every
 * message is one binary WebSocket message: a u8 tag, then its fields; integers are big-endian; a
 * u64 length prefix must equal the number of bytes after it exactly.
 *
 * <pre>
 * requests  0x00 Send              tag · recipient[96] · conn_id u64 · len u64 · data
 *           0x01 SendAnonymous     tag · reply_surbs u32 · recipient[96] · conn_id u64 · len u64 · data
 *           0x02 Reply             tag · sender_tag[16] · conn_id u64 · len u64 · data
 *           0x03 SelfAddress       tag
 *           0x04 ClosedConnection  tag · conn_id u64
 *           0x05 GetLaneQueueLength tag · conn_id u64
 * responses 0x00 Error             tag · kind u8 · len u64 · utf-8 message
 *           0x01 Received          tag · has_tag u8 · [sender_tag[16]] · len u64 · message
 *           0x02 SelfAddress       tag · recipient[96]
 *           0x03 LaneQueueLength   tag · lane u64 · queue_length u64
 * </pre>
 *
 * <p>Encoding allocates exactly one array. Decoding never throws, whatever the input (including
 * {@code null}): it returns a {@link Decoded} holding the value or the {@link Malformed} reason.
 * Decoded payloads are fresh copies.
 */
public final class NymCodec {

    private static final int U64 = 8;

    private NymCodec() {
    }

    // ---- encoding ----

    /**
     * Encodes a request.
     *
     * @param request the request
     * @return its bytes
     * @throws IllegalArgumentException if the data is too large for one Java array with its header
     */
    public static byte[] encode(NymRequest request) {
        return switch (request) {
            case NymRequest.Send s -> {
                Writer w = new Writer(1 + Recipient.LENGTH + 2 * U64, s.data().length);
                w.u8(NymRequest.SEND).bytes(s.recipient().toBytes()).u64(s.connectionId()).lengthAndData(s.data());
                yield w.out;
            }
            case NymRequest.SendAnonymous s -> {
                Writer w = new Writer(1 + 4 + Recipient.LENGTH + 2 * U64, s.data().length);
                w.u8(NymRequest.SEND_ANONYMOUS).u32(s.replySurbs()).bytes(s.recipient().toBytes())
                        .u64(s.connectionId()).lengthAndData(s.data());
                yield w.out;
            }
            case NymRequest.Reply r -> {
                Writer w = new Writer(1 + SenderTag.LENGTH + 2 * U64, r.data().length);
                w.u8(NymRequest.REPLY).bytes(r.senderTag().toBytes()).u64(r.connectionId()).lengthAndData(r.data());
                yield w.out;
            }
            case NymRequest.SelfAddress a -> new byte[] {NymRequest.SELF_ADDRESS};
            case NymRequest.ClosedConnection c -> new Writer(1 + U64, 0).u8(NymRequest.CLOSED_CONNECTION)
                    .u64(c.connectionId()).out;
            case NymRequest.GetLaneQueueLength g -> new Writer(1 + U64, 0).u8(NymRequest.GET_LANE_QUEUE_LENGTH)
                    .u64(g.connectionId()).out;
        };
    }

    /**
     * Encodes a response.
     *
     * @param response the response
     * @return its bytes
     * @throws IllegalArgumentException if the data is too large for one Java array with its header
     */
    public static byte[] encode(NymResponse response) {
        return switch (response) {
            case NymResponse.Error e -> {
                byte[] text = e.message().getBytes(StandardCharsets.UTF_8);
                Writer w = new Writer(1 + 1 + U64, text.length);
                w.u8(NymResponse.ERROR).u8(e.kind()).lengthAndData(text);
                yield w.out;
            }
            case NymResponse.Received r -> {
                boolean tagged = r.senderTag() != null;
                Writer w = new Writer(1 + 1 + (tagged ? SenderTag.LENGTH : 0) + U64, r.data().length);
                w.u8(NymResponse.RECEIVED).u8(tagged ? 1 : 0);
                if (tagged) {
                    w.bytes(r.senderTag().toBytes());
                }
                w.lengthAndData(r.data());
                yield w.out;
            }
            case NymResponse.SelfAddress a -> new Writer(1 + Recipient.LENGTH, 0).u8(NymResponse.SELF_ADDRESS)
                    .bytes(a.address().toBytes()).out;
            case NymResponse.LaneQueueLength l -> new Writer(1 + 2 * U64, 0).u8(NymResponse.LANE_QUEUE_LENGTH)
                    .u64(l.lane()).u64(l.queueLength()).out;
        };
    }

    // ---- decoding ----

    /**
     * Decodes a request (what nym-client, or a stand-in for it, reads). Never throws.
     *
     * @param bytes one whole WebSocket message, or {@code null}
     * @return the request, or why the bytes are not one
     */
    public static Decoded<NymRequest> decodeRequest(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return Decoded.bad(Malformed.EMPTY, "empty request");
        }
        Reader r = new Reader(bytes);
        int tag = r.u8();
        return switch (tag) {
            case NymRequest.SEND -> {
                if (!r.has(Recipient.LENGTH + 2 * U64)) {
                    yield tooShort("Send", bytes.length, 1 + Recipient.LENGTH + 2 * U64);
                }
                Recipient recipient = Recipient.fromBytes(r.bytes(Recipient.LENGTH));
                long conn = r.u64();
                byte[] data = r.lengthAndData();
                yield data == null ? mismatch("Send", r) : Decoded.ok(new NymRequest.Send(recipient, conn, data));
            }
            case NymRequest.SEND_ANONYMOUS -> {
                if (!r.has(4 + Recipient.LENGTH + 2 * U64)) {
                    yield tooShort("SendAnonymous", bytes.length, 1 + 4 + Recipient.LENGTH + 2 * U64);
                }
                int surbs = r.u32();
                Recipient recipient = Recipient.fromBytes(r.bytes(Recipient.LENGTH));
                long conn = r.u64();
                byte[] data = r.lengthAndData();
                yield data == null ? mismatch("SendAnonymous", r)
                        : Decoded.ok(new NymRequest.SendAnonymous(recipient, surbs, conn, data));
            }
            case NymRequest.REPLY -> {
                if (!r.has(SenderTag.LENGTH + 2 * U64)) {
                    yield tooShort("Reply", bytes.length, 1 + SenderTag.LENGTH + 2 * U64);
                }
                SenderTag senderTag = SenderTag.fromBytes(r.bytes(SenderTag.LENGTH));
                long conn = r.u64();
                byte[] data = r.lengthAndData();
                yield data == null ? mismatch("Reply", r) : Decoded.ok(new NymRequest.Reply(senderTag, conn, data));
            }
            case NymRequest.SELF_ADDRESS -> r.remaining() == 0 ? Decoded.ok(new NymRequest.SelfAddress())
                    : trailing("SelfAddress", r.remaining());
            case NymRequest.CLOSED_CONNECTION, NymRequest.GET_LANE_QUEUE_LENGTH -> {
                String name = tag == NymRequest.CLOSED_CONNECTION ? "ClosedConnection" : "GetLaneQueueLength";
                if (!r.has(U64)) {
                    yield tooShort(name, bytes.length, 1 + U64);
                }
                long conn = r.u64();
                if (r.remaining() != 0) {
                    yield trailing(name, r.remaining());
                }
                yield Decoded.ok(tag == NymRequest.CLOSED_CONNECTION ? new NymRequest.ClosedConnection(conn)
                        : new NymRequest.GetLaneQueueLength(conn));
            }
            default -> Decoded.bad(Malformed.UNKNOWN_TAG, String.format("unknown request tag 0x%02x", tag));
        };
    }

    /**
     * Decodes a response (what a client reads). Never throws.
     *
     * @param bytes one whole WebSocket message, or {@code null}
     * @return the response, or why the bytes are not one
     */
    public static Decoded<NymResponse> decodeResponse(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return Decoded.bad(Malformed.EMPTY, "empty response");
        }
        Reader r = new Reader(bytes);
        int tag = r.u8();
        return switch (tag) {
            case NymResponse.ERROR -> {
                if (!r.has(1 + U64)) {
                    yield tooShort("Error", bytes.length, 1 + 1 + U64);
                }
                int kind = r.u8();
                byte[] text = r.lengthAndData();
                yield text == null ? mismatch("Error", r)
                        : Decoded.ok(new NymResponse.Error(kind, new String(text, StandardCharsets.UTF_8)));
            }
            case NymResponse.RECEIVED -> {
                if (!r.has(1)) {
                    yield tooShort("Received", bytes.length, 1 + 1 + U64);
                }
                int flag = r.u8();
                if (flag > 1) {
                    yield Decoded.bad(Malformed.BAD_FLAG, "Received: has_tag is " + flag + ", not 0 or 1");
                }
                SenderTag senderTag = null;
                if (flag == 1) {
                    if (!r.has(SenderTag.LENGTH + U64)) {
                        yield tooShort("Received", bytes.length, 1 + 1 + SenderTag.LENGTH + U64);
                    }
                    senderTag = SenderTag.fromBytes(r.bytes(SenderTag.LENGTH));
                } else if (!r.has(U64)) {
                    yield tooShort("Received", bytes.length, 1 + 1 + U64);
                }
                byte[] data = r.lengthAndData();
                yield data == null ? mismatch("Received", r) : Decoded.ok(new NymResponse.Received(senderTag, data));
            }
            case NymResponse.SELF_ADDRESS -> {
                if (!r.has(Recipient.LENGTH)) {
                    yield tooShort("SelfAddress", bytes.length, 1 + Recipient.LENGTH);
                }
                Recipient address = Recipient.fromBytes(r.bytes(Recipient.LENGTH));
                yield r.remaining() == 0 ? Decoded.ok(new NymResponse.SelfAddress(address))
                        : trailing("SelfAddress", r.remaining());
            }
            case NymResponse.LANE_QUEUE_LENGTH -> {
                if (!r.has(2 * U64)) {
                    yield tooShort("LaneQueueLength", bytes.length, 1 + 2 * U64);
                }
                long lane = r.u64();
                long length = r.u64();
                yield r.remaining() == 0 ? Decoded.ok(new NymResponse.LaneQueueLength(lane, length))
                        : trailing("LaneQueueLength", r.remaining());
            }
            default -> Decoded.bad(Malformed.UNKNOWN_TAG, String.format("unknown response tag 0x%02x", tag));
        };
    }

    private static <T> Decoded<T> tooShort(String what, int length, int needed) {
        return Decoded.bad(Malformed.TOO_SHORT, what + ": " + length + " bytes, at least " + needed + " needed");
    }

    private static <T> Decoded<T> mismatch(String what, Reader r) {
        return Decoded.bad(Malformed.LENGTH_MISMATCH, what + ": length prefix " + Long.toUnsignedString(r.lastLength)
                + " but " + r.remaining() + " bytes follow");
    }

    private static <T> Decoded<T> trailing(String what, int extra) {
        return Decoded.bad(Malformed.TRAILING_BYTES, what + ": " + extra + " unexpected bytes at the end");
    }

    /** Big-endian writes into one exactly sized array. */
    private static final class Writer {
        final byte[] out;
        int pos;

        Writer(int fixed, int variable) {
            if (variable > Integer.MAX_VALUE - 16 - fixed) {
                throw new IllegalArgumentException("message too large: " + variable + " bytes");
            }
            out = new byte[fixed + variable];
        }

        Writer u8(int v) {
            out[pos++] = (byte) v;
            return this;
        }

        Writer u32(int v) {
            for (int shift = 24; shift >= 0; shift -= 8) {
                out[pos++] = (byte) (v >>> shift);
            }
            return this;
        }

        Writer u64(long v) {
            for (int shift = 56; shift >= 0; shift -= 8) {
                out[pos++] = (byte) (v >>> shift);
            }
            return this;
        }

        Writer bytes(byte[] b) {
            System.arraycopy(b, 0, out, pos, b.length);
            pos += b.length;
            return this;
        }

        Writer lengthAndData(byte[] b) {
            return u64(b.length).bytes(b);
        }
    }

    /** Big-endian reads; callers check {@link #has} first. */
    private static final class Reader {
        final byte[] in;
        int pos;
        long lastLength;

        Reader(byte[] in) {
            this.in = in;
        }

        int remaining() {
            return in.length - pos;
        }

        boolean has(int n) {
            return remaining() >= n;
        }

        int u8() {
            return in[pos++] & 0xFF;
        }

        int u32() {
            int v = 0;
            for (int i = 0; i < 4; i++) {
                v = v << 8 | (in[pos++] & 0xFF);
            }
            return v;
        }

        long u64() {
            long v = 0;
            for (int i = 0; i < U64; i++) {
                v = v << 8 | (in[pos++] & 0xFF);
            }
            return v;
        }

        byte[] bytes(int n) {
            byte[] b = Arrays.copyOfRange(in, pos, pos + n);
            pos += n;
            return b;
        }

        /** Reads a u64 length and exactly that many remaining bytes; {@code null} if they differ. */
        byte[] lengthAndData() {
            lastLength = u64();
            if (lastLength != remaining()) {
                return null;
            }
            return bytes(remaining());
        }
    }
}
