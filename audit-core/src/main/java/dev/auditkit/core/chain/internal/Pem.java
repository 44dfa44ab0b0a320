package dev.auditkit.core.chain.internal;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** PEM reading and writing for Ed25519 keys: PKCS#8 private keys, X.509 SPKI public keys. */
public final class Pem {
  private Pem() {}

  public static PrivateKey privateKey(String pem) {
    byte[] der = der(pem, "PRIVATE KEY");
    try {
      return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Ed25519 PKCS#8 private key: " + e.getMessage(), e);
    }
  }

  public static PublicKey publicKey(String pem) {
    return publicKey(der(pem, "PUBLIC KEY"));
  }

  public static PublicKey publicKey(byte[] spkiDer) {
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spkiDer));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Ed25519 X.509 public key: " + e.getMessage(), e);
    }
  }

  public static String encode(String label, byte[] der) {
    String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + b64 + "\n-----END " + label + "-----\n";
  }

  /** The DER bytes between the BEGIN and END lines of {@code label}. */
  static byte[] der(String pem, String label) {
    if (pem == null) {
      throw new IllegalArgumentException("PEM text is null");
    }
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int b = pem.indexOf(begin);
    int e = pem.indexOf(end);
    if (b < 0 || e < b) {
      throw new IllegalArgumentException("expected a PEM block \"" + begin + "\"");
    }
    String body = pem.substring(b + begin.length(), e).replaceAll("\\s", "");
    try {
      return Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException("PEM block " + label + " is not valid base64", ex);
    }
  }
}
