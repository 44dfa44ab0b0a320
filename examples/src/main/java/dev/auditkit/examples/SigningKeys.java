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
 * The Ed25519 key that signs checkpoints, kept as two PEM files beside the example's data so that
 * the example runs without set-up. A real host keeps the private key away from the database and its
 * backups (a secret store, a mounted file), and hands the public key to its auditors, who verify
 * with that copy; {@code openssl genpkey -algorithm ed25519} makes the same files.
 */
final class SigningKeys {
  private SigningKeys() {}

  static Path privateKeyFile(Path dir) {
    return dir.resolve("checkpoint-key.pem");
  }

  static Path publicKeyFile(Path dir) {
    return dir.resolve("checkpoint-key.pub.pem");
  }

  /**
   * The signer whose key is in {@code dir}, made there on first use. A key that exists is never
   * replaced: checkpoints it signed could no longer be proved. The private key file is readable by
   * its owner only from the moment it exists (where the file system has POSIX permissions).
   *
   * @throws IllegalStateException when only one of the two files is there
   */
  static CheckpointSigner loadOrCreate(Path dir) {
    Path priv = privateKeyFile(dir);
    Path pub = publicKeyFile(dir);
    boolean hasPrivate = Files.exists(priv);
    if (hasPrivate != Files.exists(pub)) {
      throw new IllegalStateException("only one half of the checkpoint key is in " + dir + " (" + priv.getFileName()
          + (hasPrivate ? " without " + pub.getFileName() : " missing") + "): restore it from your copy; a new key"
          + " would leave every checkpoint signed so far unprovable");
    }
    if (!hasPrivate) {
      KeyPair pair = CheckpointSigner.newKeyPair();
      try {
        try {
          Files.createFile(priv, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
          Files.createFile(priv); // Windows: the file gets the directory's ACL
        }
        Files.writeString(priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
        Files.writeString(pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()), StandardCharsets.US_ASCII);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the checkpoint key to " + dir, e);
      }
    }
    return CheckpointSigner.fromPemFiles(priv, pub);
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }
}
