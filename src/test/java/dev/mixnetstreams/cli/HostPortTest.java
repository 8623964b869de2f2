package dev.mixnetstreams.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one {@code HOST:PORT} form the CLI prints, which its own options read back. */
class HostPortTest {

    @ParameterizedTest
    @CsvSource({
        "::1, 39731, [::1]:39731",
        "0:0:0:0:0:0:0:1, 39731, [::1]:39731",
        "::, 0, [::]:0",
        "2001:db8:0:0:1:0:0:1, 443, [2001:db8::1:0:0:1]:443",
        "2001:db8:0:1:1:1:1:1, 443, [2001:db8:0:1:1:1:1:1]:443",
        "2001:DB8:0:0:0:0:0:1, 80, [2001:db8::1]:80",
        "fe80:0:0:0:0:0:0:0, 80, [fe80::]:80",
        "127.0.0.1, 9000, 127.0.0.1:9000",
    })
    void formatsAddressesSoThatTheyParseBack(String host, int port, String expected) throws UsageException {
        InetSocketAddress address = new InetSocketAddress(host, port);
        String text = HostPort.format(address);
        assertEquals(expected, text);
        assertEquals(address, HostPort.parse("--listen", text, true));
    }

    @ParameterizedTest
    @CsvSource({"localhost, 80, localhost:80"})
    void aHostNameStaysAsGiven(String host, int port, String expected) throws UsageException {
        assertEquals(expected, HostPort.format(HostPort.parse("--upstream", host + ":" + port, false)));
    }
}
