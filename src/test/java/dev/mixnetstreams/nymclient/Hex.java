package dev.mixnetstreams.nymclient;

import java.util.HexFormat;

/** Hex with the reference's {@code |} separators and {@code R}/{@code xx×16} shorthands expanded by callers. */
final class Hex {
    static final String ADDRESS = "CytBseW6yFXUMzz4SGAKdNLGR7q3sJLLYxyBGvutNEQV.4QXYyEVc5fUDjmmi8PrHN9tdUFV4PCvSJE1278cHyvoe"
            + "@4sBbL1ngf1vtNqykydQKTFh26sQCw888GpUqvPvyNB4f";
    static final String R = "b202f5983ab6ad7e78b5237d005ff4887689be9a2341179b05d382cf80f1dade"
            + "3299f6b78e8a0bce4daa9fcca3f93204da56a5d5132ee4d484cec3c9927cb965"
            + "396e13d61e2bc32b6353a31da0c34dcc1545f93bab112ce63d9a2c1d0327a724";

    private Hex() {
    }

    static byte[] bytes(String text) {
        return HexFormat.of().parseHex(text.replace("|", "").replace("R", R));
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    static String times(String twoDigits, int n) {
        return twoDigits.repeat(n);
    }
}
