package dev.auditkit.core.chain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditkit.core.internal.EventJson;

/** Child-JVM helper: prints the hash of every vector event and of generated events, one a line. */
public final class PrintCanonicalHashes {
  private PrintCanonicalHashes() {}

  public static void main(String[] args) {
    for (JsonNode v : TestEvents.vectors().get("vectors")) {
      System.out.println(CanonicalEncoding.sha256Hex(EventJson.fromJson(v.get("event"))));
    }
    for (int i = 0; i < 20; i++) {
      System.out.println(CanonicalEncoding.sha256Hex(TestEvents.full(i % 2 == 0 ? "org-" + i : null, i)));
    }
  }
}
