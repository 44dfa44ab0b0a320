package dev.auditkit.core.chain.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 and lower-case hex helpers shared by the chain classes. */
public final class Hashes {
  private static final HexFormat HEX = HexFormat.of();

  private Hashes() {}

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JDK", e);
    }
  }

  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  public static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = DIGITS[(bytes[i] >> 4) & 0xF];
      out[2 * i + 1] = DIGITS[bytes[i] & 0xF];
    }
    return new String(out);
  }

  /** True for exactly 64 lower-case hex digits. */
  public static boolean isSha256Hex(String s) {
    if (s == null || s.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  public static byte[] unhex(String s) {
    return HEX.parseHex(s);
  }

  public static String sha256Hex(String utf8) {
    return hex(sha256().digest(utf8.getBytes(StandardCharsets.UTF_8)));
  }
}
