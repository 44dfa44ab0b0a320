package dev.auditkit.jdbc;

/** A fixed Ed25519 key pair for tests (made with openssl genpkey -algorithm ed25519); never use it elsewhere. */
final class TestKeys {
  static final String PRIVATE_PEM = "-----BEGIN PRIVATE KEY-----" + "\n"
      + "MC4CAQAwBQYDK2VwBCIEIE0zscHn+58m8MVfUPvYWey4ejO5uZLr5gH2Q71XWGlx" + "\n"
      + "-----END PRIVATE KEY-----" + "\n";
  static final String PUBLIC_PEM = "-----BEGIN PUBLIC KEY-----" + "\n"
      + "MCowBQYDK2VwAyEACODdKpclzxaCu/gH0C33Zllt/UZFQLtysIkEMhqCmHg=" + "\n"
      + "-----END PUBLIC KEY-----" + "\n";

  private TestKeys() {}
}
