package dev.mixnetstreams.cli;

import dev.mixnetstreams.StreamId;
import dev.mixnetstreams.wire.DecodeStatus;
import dev.mixnetstreams.wire.FrameCodec;
import dev.mixnetstreams.wire.FrameType;
import dev.mixnetstreams.wire.FrameView;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code frame encode …} and {@code frame decode HEX}. */
final class FrameCommand {

    private FrameCommand() {
    }

    static int run(List<String> args, PrintStream out) throws UsageException {
        if (args.isEmpty()) {
            throw new UsageException("frame: expected encode or decode");
        }
        return switch (args.get(0)) {
            case "encode" -> encode(args.subList(1, args.size()), out);
            case "decode" -> decode(args.subList(1, args.size()), out);
            default -> throw new UsageException("frame: expected encode or decode, got " + args.get(0));
        };
    }

    private static int encode(List<String> rest, PrintStream out) throws UsageException {
        Args args = new Args(rest, Set.of("id", "type", "seq", "payload"));
        long id;
        try {
            id = StreamId.parse(args.required("id")).value();
        } catch (IllegalArgumentException e) {
            throw new UsageException("--id: " + e.getMessage());
        }
        String typeName = args.required("type").toLowerCase(Locale.ROOT);
        FrameType type = switch (typeName) {
            case "open" -> FrameType.OPEN;
            case "data" -> FrameType.DATA;
            case "open-ack" -> FrameType.OPEN_ACK;
            case "ping" -> FrameType.PING;
            case "pong" -> FrameType.PONG;
            default -> throw new UsageException("--type: expected open, data, open-ack, ping or pong");
        };
        int seq = (int) Args.parseNumber("--seq", args.required("seq"), 0, 0xFFFF_FFFFL);
        byte[] payload = Args.hex("--payload", args.text("payload", ""));
        byte[] frame = FrameCodec.encode(id, type, seq, payload);
        out.println(Args.hex(frame, 0, frame.length));
        return 0;
    }

    private static int decode(List<String> rest, PrintStream out) throws UsageException {
        if (rest.size() != 1) {
            throw new UsageException("frame decode: expected one HEX argument");
        }
        byte[] message = Args.hex("frame decode", rest.get(0));
        FrameView view = new FrameView();
        DecodeStatus status = view.wrap(message);
        if (status != DecodeStatus.FRAME) {
            out.println("not a stream frame: " + reason(status));
            return 2;
        }
        out.printf("id=0x%016x type=%s seq=%d reserved=%d payload=%s%n", view.streamId(),
                view.type().label(), Integer.toUnsignedLong(view.sequence()),
                view.reserved(), Args.hex(view.buffer(), view.payloadOffset(), view.payloadLength()));
        return 0;
    }

    private static String reason(DecodeStatus status) {
        return switch (status) {
            case TOO_SHORT -> "too short (fewer than " + FrameCodec.HEADER_LENGTH + " bytes)";
            case NOT_STREAM_KIND -> "not the SphinxStream frame kind";
            case UNKNOWN_MESSAGE_TYPE -> "unknown message type";
            case FRAME -> "frame";
        };
    }
}
