package dev.auditkit.examples;

import dev.auditkit.core.chain.CheckpointSigner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.Base64;

/**
 * The Ed25519 key that signs checkpoints, kept as two PEM files beside the example's data. A real
 * host keeps the private key outside the database (a secret store, a mounted file) and gives the
 * public key to its auditors; {@code openssl genpkey -algorithm ed25519} makes the same files.
 */
final class SigningKeys {
  private SigningKeys() {}

  static Path privateKeyFile(Path dir) {
    return dir.resolve("checkpoint-key.pem");
  }

  static Path publicKeyFile(Path dir) {
    return dir.resolve("checkpoint-key.pub.pem");
  }

  /** The signer whose key is in {@code dir}, made there on first use. */
  static CheckpointSigner loadOrCreate(Path dir) {
    Path priv = privateKeyFile(dir);
    Path pub = publicKeyFile(dir);
    try {
      if (!Files.exists(priv) || !Files.exists(pub)) {
        KeyPair pair = CheckpointSigner.newKeyPair();
        Files.writeString(pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()), StandardCharsets.US_ASCII);
        Files.writeString(priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
        try {
          Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
          // Windows: the file keeps the directory's ACL
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the checkpoint key to " + dir, e);
    }
    return CheckpointSigner.fromPemFiles(priv, pub);
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }
}
