package dev.mixnetstreams.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The CLI through {@link Main#run}: the reference's frame vectors, bad arguments, a small demo. */
class MainTest {

    private record Result(int status, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Main.run(List.of(args), o, e);
        }
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource({
        "0x0011223344556677, open, 1, aa, 030000112233445566770000000001" + "00aa",
        "0123456789abcdef, data, 42, 68656c6c6f2d697072, 03000123456789abcdef010000002a0068656c6c6f2d697072",
        "0011223344556677, open, 0, '', 03000011223344556677000000000000",
    })
    void encodesTheReferenceVectors(String id, String type, String seq, String payload, String expected) {
        Result r = run("frame", "encode", "--id", id, "--type", type, "--seq", seq, "--payload", payload);
        assertEquals(0, r.status(), r.err());
        assertEquals(expected + System.lineSeparator(), r.out());
        assertEquals("", r.err());
    }

    @ParameterizedTest
    @CsvSource({
        "0300|0011223344556677|00|00000001|00|aa, id=0x0011223344556677 type=open seq=1 reserved=0 payload=aa",
        "0300|0123456789abcdef|01|0000002a|00|68656c6c6f2d697072, id=0x0123456789abcdef type=data seq=42 reserved=0 payload=68656c6c6f2d697072",
        "0300|0011223344556677|00|00000000|00, id=0x0011223344556677 type=open seq=0 reserved=0 payload=",
        "0300|0011223344556677|01|ffffffff|7f|00, id=0x0011223344556677 type=data seq=4294967295 reserved=127 payload=00",
    })
    void decodesTheReferenceVectors(String hex, String expected) {
        Result r = run("frame", "decode", hex);
        assertEquals(0, r.status(), r.err());
        assertEquals(expected + System.lineSeparator(), r.out());
    }

    @ParameterizedTest
    @CsvSource({
        "0000000000, too short",
        "00000000000000000000000000000000aa, kind",
        "03000123456789abcdefff0000002a0068656c6c6f2d697072, type",
    })
    void nonFramesExitTwo(String hex, String reasonWord) {
        Result r = run("frame", "decode", hex);
        assertEquals(2, r.status());
        assertTrue(r.out().startsWith("not a stream frame: "), r.out());
        assertTrue(r.out().contains(reasonWord), r.out());
        assertFalse(r.out().contains("Exception") || r.err().contains("Exception"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "bogus",
        "frame",
        "frame nonsense",
        "frame decode",
        "frame decode zz",
        "frame decode abc",
        "frame decode 00 11",
        "frame encode",
        "frame encode --id 12 --type open",
        "frame encode --id xyz --type open --seq 1",
        "frame encode --id 12345678901234567 --type open --seq 1",
        "frame encode --id 12 --type close --seq 1",
        "frame encode --id 12 --type open --seq -1",
        "frame encode --id 12 --type open --seq 4294967296",
        "frame encode --id 12 --type open --seq 1 --payload abc",
        "frame encode --id 12 --type open --seq 1 --payload",
        "frame encode --id 12 --type open --seq 1 --colour red",
        "frame encode --id 12 --id 13 --type open --seq 1",
        "demo --streams",
        "demo --streams 0",
        "demo --streams many",
        "demo --bytes -5",
        "demo --latency-ms 9-1",
        "demo --latency-ms a-b",
        "demo --loss 2",
        "demo --duplicate x",
        "demo --seed 1.5",
        "demo --max-unread-bytes 0",
        "demo --packets-per-second 100",
        "demo --nym-costs --packets-per-second 0",
        "demo --nym-costs --packets-per-second fast",
        "demo --nym-costs --nym-costs",
        "demo extra",
        "address --nym http://127.0.0.1:1977",
        "address --nym ws//127.0.0.1:1977",
        "address --nym ws:127.0.0.1",
        "address --nym 127.0.0.1:1977",
        "address --nym ws://",
        "tunnel-server --nym http://127.0.0.1:1977 --upstream 127.0.0.1:80",
        "tunnel --listen 127.0.0.1:0 --upstream 127.0.0.1:80 --connect-on-accept maybe",
    })
    void badArgumentsGiveUsageAndExitTwoWithoutAStackTrace(String line) {
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        Result r = run(args);
        assertEquals(2, r.status(), line + " -> " + r.out() + r.err());
        assertTrue(r.err().contains("usage:"), r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        assertFalse(r.out().contains("Exception"), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:1977", "ws//127.0.0.1:1977", "127.0.0.1:1977", "ws://", "ws://[::1"})
    void aNymUrlThatIsNotWebSocketIsAUsageErrorNamingTheExpectedForm(String url) {
        Result r = run("address", "--nym", url);
        assertEquals(2, r.status(), r.out() + r.err());
        String first = r.err().lines().findFirst().orElseThrow();
        assertEquals("error: --nym: expected the nym-client's URL, ws://HOST:PORT (or wss://HOST:PORT), got " + url, first);
        assertEquals("", r.out());
    }

    @Test
    void helpPrintsUsage() {
        Result r = run("help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("frame decode HEX"));
    }

    @Test
    void smallDemoVerifiesEveryByte() {
        Result r = run("demo", "--streams", "4", "--bytes", "4096", "--latency-ms", "0-5", "--seed", "1");
        assertEquals(0, r.status(), r.out() + r.err());
        String[] lines = r.out().strip().split("\\R");
        assertTrue(lines[0].startsWith("demo: streams=4 bytes-per-stream=4096 latency=0-5ms"), lines[0]);
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("demo ok: streams=4 bytes=16384 elapsed="), last);
        assertTrue(last.contains("throughput="), last);
    }

    @Test
    void aDemoUnderTheNymCostModelReportsThePacketsItUsed() {
        Result r = run("demo", "--streams", "2", "--bytes", "5000", "--latency-ms", "0-5", "--seed", "1",
                "--nym-costs", "--packets-per-second", "5000");
        assertEquals(0, r.status(), r.out() + r.err());
        String[] lines = r.out().strip().split("\\R");
        assertTrue(lines[0].endsWith("nym-costs=5000 packets/s"), lines[0]);
        String costs = lines[lines.length - 2];
        // Each stream: its Open (20 SURBs, 15 packets, the first 741 bytes), 3 more packets and its
        // end; the echo: an OpenAck, 4 packets and its end; SURBs refilled as the replies need them.
        assertTrue(costs.matches("nym costs: \\d+ packets, [0-9.]+ payload bytes per packet \\(floor: 1565 from an "
                + "opener, 1585 per reply\\)"), costs);
        assertTrue(lines[lines.length - 1].startsWith("demo ok: streams=2 bytes=10000"), lines[lines.length - 1]);
    }

    /**
     * An accepting stream reset by its client's limit on unread bytes fails the demo at once, with
     * the reason (it once looked like a hang: the echo swallowed it), and the opener is told.
     */
    @Test
    void demoFailsLoudlyWhenTheEchoSideIsReset() {
        Result r = run("demo", "--streams", "2", "--bytes", "65536", "--latency-ms", "0-2", "--seed", "3",
                "--max-unread-bytes", "100");
        assertEquals(1, r.status(), r.out() + r.err());
        String[] lines = r.out().strip().split("\\R");
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("demo FAILED: echo "), last);
        assertTrue(last.contains("maxTotalUnreadBytes"), last);
        String acceptor = lines[lines.length - 2];
        assertTrue(acceptor.startsWith("acceptor: frames out=") && !acceptor.contains("streams reset=0,"), acceptor);
        String opener = lines[lines.length - 3];
        assertTrue(opener.startsWith("opener: ") && !opener.contains("resets in=0,"), "the opener was told: " + opener);
    }

    /**
     * With every message lost nothing arrives: the streams stall (after the demo's hang guard) and
     * that is a failure, not "demo ok" with 0 bytes verified.
     */
    @Test
    void aDemoThatVerifiedNothingFails() {
        Result r = run("demo", "--streams", "2", "--bytes", "1000", "--latency-ms", "0", "--loss", "1", "--seed", "4");
        assertEquals(1, r.status(), r.out() + r.err());
        String[] lines = r.out().strip().split("\\R");
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("demo FAILED: ") && last.contains("read timed out"), last);
        assertFalse(r.out().contains("demo ok"), r.out());
    }

    /**
     * Between two clients of this library lost messages are sent again: with 5 % of every message
     * lost (Opens, data, acknowledgements alike) the demo still verifies every byte of every stream.
     */
    @Test
    void aDemoWithFivePercentLossVerifiesEveryByte() {
        Result r = run("demo", "--streams", "16", "--bytes", "65536", "--latency-ms", "5-50", "--loss", "0.05",
                "--seed", "4");
        assertEquals(0, r.status(), r.out() + r.err());
        String[] lines = r.out().strip().split("\\R");
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("demo ok: streams=16 bytes=1048576 elapsed="), last);
        assertTrue(lines[lines.length - 3].contains("loss reports=0, streams reset=0, resets in=0"), lines[lines.length - 3]);
        assertTrue(lines[lines.length - 2].contains("loss reports=0, streams reset=0, resets in=0"), lines[lines.length - 2]);
        assertFalse(last.contains("resent=0)"), "with loss something was sent again: " + last);
    }

    @Test
    void demoWithDuplicatesAndNoBytes() {
        Result r = run("demo", "--streams", "3", "--bytes", "0", "--latency-ms", "2", "--duplicate", "0.5", "--seed", "2");
        assertEquals(0, r.status(), r.out() + r.err());
        String[] lines = r.out().strip().split("\\R");
        assertTrue(lines[lines.length - 1].startsWith("demo ok: streams=3 bytes=0 "), lines[lines.length - 1]);
    }
}
