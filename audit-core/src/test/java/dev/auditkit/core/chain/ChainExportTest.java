package dev.auditkit.core.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.chain.internal.Pem;
import dev.auditkit.core.chain.internal.VerifyCommand;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChainExportTest {
  private static final KeyPair KEYS = CheckpointSigner.newKeyPair();
  private static final CheckpointSigner SIGNER = CheckpointSigner.fromPem(
      Pem.encode("PRIVATE KEY", KEYS.getPrivate().getEncoded()), Pem.encode("PUBLIC KEY", KEYS.getPublic().getEncoded()));
  private static final Instant EXPORTED = Instant.parse("2026-03-01T00:00:00Z");

  @TempDir
  Path dir;

  private final SealedChain chain = SealedChain.of(22, 5, SIGNER);

  @Test
  void export_readsBackAsTheSameChain_andVerifies() throws Exception {
    Path file = export(chain);
    ChainExportReader reader = ChainExportReader.open(file);
    assertThat(reader.chainId()).isEqualTo(SealedChain.CHAIN);
    assertThat(reader.listedKeys()).containsExactly(SIGNER.publicKey());
    try (Stream<AuditEvent> events = reader.source().events()) {
      assertThat(events.collect(Collectors.toList())).containsExactlyElementsOf(chain.events);
    }
    try (Stream<Checkpoint> cps = reader.source().checkpoints()) {
      assertThat(cps.collect(Collectors.toList())).containsExactlyElementsOf(chain.checkpoints);
    }
    ChainVerification r = reader.verify(ChainVerifier.builder(SIGNER.keys()).build());
    assertThat(r.ok()).as(r.summary()).isTrue();
    List<String> lines = Files.readAllLines(file);
    assertThat(lines.get(0)).startsWith("{\"type\":\"header\",\"format\":\"auditkit.chain-export\",\"version\":1,");
    assertThat(lines.get(6)).as("checkpoint #5 right after event #5").startsWith("{\"type\":\"checkpoint\"");
    assertThat(lines.get(lines.size() - 1)).isEqualTo("{\"type\":\"end\",\"events\":22,\"checkpoints\":4}");
  }

  @Test
  void cli_untouchedExport_isOk() throws Exception {
    Run r = cli("verify", export(chain).toString(), "--public-key", publicKey().toString());
    assertThat(r.exit).as(r.all()).isEqualTo(0);
    assertThat(r.out).contains("VERDICT: OK - OK chain t:org-7: 22 events", "trusted key " + SIGNER.fingerprint());
  }

  @Test
  void cli_editedEventInTheFile_isTampered() throws Exception {
    Run r = verifyWithEvent7Edited("\"role\":\"admin\"", "\"role\":\"auditor\"");
    assertThat(r.exit).as(r.all()).isEqualTo(1);
    assertThat(r.out).contains("VERDICT: TAMPERED - MODIFIED at t:org-7#7");
  }

  /**
   * An edit that the event model would clean away when building the event (a bidi override, a
   * control character, an empty text for an absent one) is hashed as written, so it is MODIFIED
   * too; a key written twice, which readers resolve differently, makes the line unreadable.
   */
  @Test
  void cli_editsTheModelWouldCleanAway_areTampered_aKeyTwiceIsUnreadable() throws Exception {
    // the role, and members the verifier would otherwise not look at: an unknown kind, an added member
    List<String[]> edits = List.of(new String[] {"\"role\":\"admin\"", "\"role\":\"admin\\u202e\""},
        new String[] {"\"role\":\"admin\"", "\"role\":\"ad\\u0007min\""},
        new String[] {"\"role\":\"admin\"", "\"role\":\"\""},
        new String[] {"\"kind\":\"UPDATE\"", "\"kind\":\"TELEPORT\""},
        new String[] {"\"actor\":{", "\"approvedBy\":\"cfo\",\"actor\":{"});
    for (String[] edit : edits) {
      Run r = verifyWithEvent7Edited(edit[0], edit[1]);
      assertThat(r.exit).as(edit[1] + ": " + r.all()).isEqualTo(1);
      assertThat(r.out).contains("VERDICT: TAMPERED - MODIFIED at t:org-7#7");
    }
    Run r = verifyWithEvent7Edited("\"role\":\"admin\"", "\"role\":\"auditor\",\"role\":\"admin\"");
    assertThat(r.exit).as(r.all()).isEqualTo(1);
    int line = lineOfEvent(Files.readAllLines(export(chain)), 7) + 1;
    assertThat(r.out).contains("VERDICT: TAMPERED - MODIFIED at t:org-7#7", "line " + line, "Duplicate field");
  }

  /**
   * An event line edited so that it is no JSON any more, or so that its id or seal can no longer be
   * read, is MODIFIED at the position it holds, and the verdict names the line: the writer never
   * writes such a line. A line whose start no longer says what it is stays unreadable.
   */
  @Test
  void eventLinesThatNoLongerParse_areModifiedAtTheirPosition() throws Exception {
    Path file = export(chain);
    List<String> original = Files.readAllLines(file);
    int at = lineOfEvent(original, 9);
    String line9 = original.get(at);
    String id9 = chain.at(9).id().toString();
    java.util.Map<String, String> edits = new java.util.LinkedHashMap<>();
    edits.put("cut short", line9.substring(0, line9.length() / 2));
    edits.put("NUL in the middle", line9.substring(0, 80) + "\u0000" + line9.substring(80));
    edits.put("the id edited", line9.replace(id9, "not-an-id"));
    edits.put("the sequence edited", line9.replace("\"sequence\":9,", "\"sequence\":\"nine\","));
    edits.put("no event object", "{\"type\":\"event\",\"event\":[1,2]}");
    edits.put("the seal null", line9.replaceFirst("\"seal\":\\{[^}]*\\}", "\"seal\":null"));
    edits.put("a time that is no time", line9.replaceFirst("(\"occurredAt\":\"\\d{4}-\\d\\d-\\d\\d)T", "$1}"));
    for (var edit : edits.entrySet()) {
      assertThat(edit.getValue()).as(edit.getKey() + " edits the line").isNotEqualTo(line9);
      List<String> lines = new ArrayList<>(original);
      lines.set(at, edit.getValue());
      Files.write(file, lines);
      ChainVerification r = ChainExportReader.open(file).verify(ChainVerifier.builder(SIGNER.keys()).build());
      assertThat(r.ok()).as(edit.getKey()).isFalse();
      assertThat(r.kind()).as(edit.getKey() + ": " + r.summary()).contains(TamperKind.MODIFIED);
      assertThat(r.position()).as(edit.getKey()).isEqualTo(9);
      assertThat(r.detail()).as(edit.getKey()).contains("line " + (at + 1));
      if (!edit.getKey().equals("the id edited") && !edit.getKey().equals("no event object")) {
        assertThat(r.eventId()).as(edit.getKey() + " names the event by the id the line still holds")
            .contains(chain.at(9).id());
      }
    }
    // the last event line cut short (the end line follows it)
    List<String> lines = new ArrayList<>(original);
    int last = lineOfEvent(original, 22);
    lines.set(last, original.get(last).substring(0, 40));
    Files.write(file, lines);
    Run r = cli("verify", file.toString(), "--public-key", publicKey().toString());
    assertThat(r.exit).as(r.all()).isEqualTo(1);
    assertThat(r.out).contains("VERDICT: TAMPERED - MODIFIED at t:org-7#22", "line " + (last + 1));
    // a line whose start no longer says what it is cannot be placed: the file cannot be verified
    lines = new ArrayList<>(original);
    lines.set(at, "garbage");
    Files.write(file, lines);
    r = cli("verify", file.toString(), "--public-key", publicKey().toString());
    assertThat(r.exit).as(r.all()).isEqualTo(2);
    assertThat(r.err).contains("line " + (at + 1));
  }

  /** A copy that stopped inside the last event line, so there is no end line: TRUNCATED there, not MODIFIED. */
  @Test
  void fileCutInsideItsLastEventLine_isTruncatedThere() throws Exception {
    List<String> lines = Files.readAllLines(export(chain));
    int last = lineOfEvent(lines, 22);
    List<String> cut = new ArrayList<>(lines.subList(0, last));
    cut.add(lines.get(last).substring(0, 100));
    ChainVerification r = verify(cut);
    assertThat(r.kind()).as(r.summary()).contains(TamperKind.TRUNCATED);
    assertThat(r.position()).isEqualTo(22);
    assertThat(r.detail()).contains("line " + (last + 1));
    // the same line cut short with the end line still after it was edited, not cut
    cut.add(lines.get(lines.size() - 1));
    r = verify(cut);
    assertThat(r.kind()).as(r.summary()).contains(TamperKind.MODIFIED);
  }

  /**
   * The detail names the line of the event the verdict is about: here #9 is edited (it still
   * parses) and #10's line, made unreadable, claims #9's place; the verdict is about #9.
   */
  @Test
  void theVerdictsDetail_namesTheLineOfTheEventItIsAbout() throws Exception {
    List<String> lines = Files.readAllLines(export(chain));
    int at9 = lineOfEvent(lines, 9);
    int at10 = lineOfEvent(lines, 10);
    lines.set(at9, lines.get(at9).replace("\"role\":\"", "\"role\":\"x"));
    lines.set(at10, lines.get(at10).replace("\"sequence\":10,", "\"sequence\":9,")
        .replace("{\"type\":\"event\",\"event\":{", "{\"type\":\"event\",\"event\":{\"zz\":1,"));
    ChainExportReader reader = ChainExportReader.open(Files.write(dir.resolve("two.jsonl"), lines));
    ChainVerification r = reader.verify(ChainVerifier.builder(SIGNER.keys()).build());
    assertThat(r.kind()).contains(TamperKind.MODIFIED);
    assertThat(r.position()).isEqualTo(9);
    assertThat(r.eventId()).contains(chain.at(9).id());
    assertThat(r.detail()).doesNotContain("line " + (at10 + 1));
    // a second verify of the same reader gives the same verdict (nothing left over from the first)
    assertThat(reader.verify(ChainVerifier.builder(SIGNER.keys()).build()).detail()).isEqualTo(r.detail());
  }

  /** A purged chain (it starts after checkpoint #5) whose first event line is cut short: MODIFIED at #6. */
  @Test
  void purgedChain_whoseFirstLineNoLongerParses_isModifiedAtItsFirstPosition() throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(export(chain)));
    for (int seq = 5; seq >= 1; seq--) {
      lines.remove(lineOfEvent(lines, seq));
    }
    int end = lines.size() - 1;
    lines.set(end, lines.get(end).replace("\"events\":22", "\"events\":17"));
    assertThat(verify(lines).ok()).as("the purged export verifies").isTrue();
    int at6 = lineOfEvent(lines, 6);
    lines.set(at6, lines.get(at6).substring(0, 100));
    ChainVerification r = verify(lines);
    assertThat(r.kind()).as(r.summary()).contains(TamperKind.MODIFIED);
    assertThat(r.position()).isEqualTo(6);
  }

  /**
   * Nothing may be added to an export that still verifies: a line of a type no export holds, a
   * second header, a JSON line without a type, or text after a line's object.
   */
  @Test
  void linesAnExportDoesNotHold_failTheVerification() throws Exception {
    List<String> original = Files.readAllLines(export(chain));
    int at = lineOfEvent(original, 9);
    for (String added : List.of("{\"type\":\"note\",\"text\":\"approved by cfo\"}", "{\"type\":\"eventual\"}",
        "{\"type\":\"note", original.get(0), "{\"hello\":1}", "[1,2]")) {
      List<String> lines = new ArrayList<>(original);
      lines.add(at + 1, added);
      Path file = Files.write(dir.resolve("added.jsonl"), lines);
      assertThatThrownBy(() -> ChainExportReader.open(file).verify(ChainVerifier.builder(SIGNER.keys()).build()))
          .as(added).isInstanceOf(ChainExportException.class).hasMessageContaining("line " + (at + 2));
    }
    // text after the object of an event line is an edit of that event; after another line's, unreadable
    List<String> lines = new ArrayList<>(original);
    lines.set(at, original.get(at) + " {\"role\":\"admin\"}");
    ChainVerification r = verify(lines);
    assertThat(r.kind()).as(r.summary()).contains(TamperKind.MODIFIED);
    assertThat(r.position()).isEqualTo(9);
    lines = new ArrayList<>(original);
    lines.set(lines.size() - 1, original.get(original.size() - 1) + "x");
    Path file = Files.write(dir.resolve("end.jsonl"), lines);
    assertThatThrownBy(() -> ChainExportReader.open(file).verify(ChainVerifier.builder(SIGNER.keys()).build()))
        .isInstanceOf(ChainExportException.class).hasMessageContaining("line " + lines.size());
  }

  /**
   * The end line closes the export and counts its lines: anything after it was added, and a
   * checkpoint line removed or repeated no longer matches its count.
   */
  @Test
  void linesAfterTheEndLine_failTheVerification_andCheckpointLinesAreCounted() throws Exception {
    List<String> original = Files.readAllLines(export(chain));
    String end = original.get(original.size() - 1);
    int at9 = lineOfEvent(original, 9);
    for (String added : List.of(original.get(at9), end, firstCheckpointLine(original))) {
      List<String> lines = new ArrayList<>(original);
      lines.add(added);
      Path file = Files.write(dir.resolve("after-end.jsonl"), lines);
      assertThatThrownBy(() -> ChainExportReader.open(file).verify(ChainVerifier.builder(SIGNER.keys()).build()))
          .as(added).isInstanceOf(ChainExportException.class)
          .hasMessageContaining("line " + lines.size() + " follows the end line (line " + original.size() + ")");
    }
    List<String> lines = new ArrayList<>(original);
    lines.add(""); // a blank line at the end is no line of content
    assertThat(verify(lines).ok()).isTrue();

    int cp = original.indexOf(firstCheckpointLine(original));
    lines = new ArrayList<>(original);
    lines.remove(cp);
    ChainVerification r = verify(lines);
    assertThat(r.kind()).as(r.summary()).contains(TamperKind.MISSING);
    assertThat(r.detail()).contains("checkpoint lines were removed");
    lines = new ArrayList<>(original);
    lines.add(cp, original.get(cp));
    r = verify(lines);
    assertThat(r.kind()).as(r.summary()).contains(TamperKind.INSERTED);
    assertThat(r.detail()).contains("checkpoint lines were added");
  }

  /**
   * A line cut inside its type ({@code {"type":"event} with no closing quote) is the end of a copy
   * that stopped only as the file's last line; anywhere else it is no line an export holds. Found by
   * a differential fuzz: counted as an event line, such a stub standing in for the newest event
   * (after the last checkpoint) made the counts match and the chain verify OK. Lines that are no
   * export line are refused before the chain is looked at.
   */
  @Test
  void linesCutInsideTheirType_andForeignLines_areRefused_unlessTheFileStopsThere() throws Exception {
    List<String> original = Files.readAllLines(export(chain));
    int last = lineOfEvent(original, 22);
    for (String stub : List.of("{\"type\":\"event", "{\"type\":\"checkpoint", "{\"type\":\"end", "{\"type\":\"")) {
      List<String> lines = new ArrayList<>(original);
      lines.set(last, stub); // the newest event (after the last checkpoint) replaced
      Path file = Files.write(dir.resolve("stub.jsonl"), lines);
      assertThatThrownBy(() -> ChainExportReader.open(file).verify(ChainVerifier.builder(SIGNER.keys()).build()))
          .as(stub).isInstanceOf(ChainExportException.class).hasMessageContaining("line " + (last + 1));
    }
    List<String> lines = new ArrayList<>(original);
    lines.set(original.indexOf(firstCheckpointLine(original)), "{\"type\":\"checkpoint");
    Path stubbed = Files.write(dir.resolve("stub-cp.jsonl"), lines);
    assertThatThrownBy(() -> ChainExportReader.open(stubbed).verify(ChainVerifier.builder(SIGNER.keys()).build()))
        .isInstanceOf(ChainExportException.class);
    // the same stub as the file's last line, with no end line: a copy that stopped there
    lines = new ArrayList<>(original.subList(0, last));
    lines.add("{\"type\":\"eve");
    ChainVerification r = verify(lines);
    assertThat(r.kind()).as(r.summary()).contains(TamperKind.TRUNCATED);
    // a foreign line is refused even where the chain is broken before it
    lines = new ArrayList<>(original);
    lines.add(last, "{\"a\":1}");
    lines.remove(lineOfEvent(original, 3));
    Path foreign = Files.write(dir.resolve("foreign.jsonl"), lines);
    assertThatThrownBy(() -> ChainExportReader.open(foreign).verify(ChainVerifier.builder(SIGNER.keys()).build()))
        .isInstanceOf(ChainExportException.class).hasMessageContaining("not a line an auditkit export holds");
  }

  /**
   * The end line is not signed: events after the last checkpoint can be cut and the counts fixed.
   * An export with a signed head (a checkpoint at its last event, which exportChain writes) makes
   * such a cut visible to a verifier that requires one.
   */
  @Test
  void aSignedHead_findsEventsCutFromTheEnd_whenRequired() throws Exception {
    SealedChain c = SealedChain.of(22, 5, SIGNER); // checkpoints at #5, #10, #15, #20
    Path headed = Files.createTempFile(dir, "headed", ".jsonl");
    try (OutputStream out = Files.newOutputStream(headed)) {
      ChainExportWriter.export(c.source(), List.of(SIGNER.publicKey()), EXPORTED, out, SIGNER);
    }
    List<String> lines = Files.readAllLines(headed);
    assertThat(lines.get(lines.size() - 2)).as("a signed head after #22").startsWith("{\"type\":\"checkpoint\"")
        .contains("\"sequence\":22");
    Run ok = cli("verify", headed.toString(), "--public-key", publicKey().toString(), "--require-signed-head");
    assertThat(ok.exit).as(ok.all()).isEqualTo(0);

    // #21, #22 and the head cut, the counts fixed: verifies without the requirement, not with it
    List<String> cut = new ArrayList<>(lines.subList(0, lineOfEvent(lines, 21)));
    cut.add("{\"type\":\"end\",\"events\":20,\"checkpoints\":4}");
    Path file = Files.write(dir.resolve("cut.jsonl"), cut);
    Run lenient = cli("verify", file.toString(), "--public-key", publicKey().toString());
    assertThat(lenient.exit).as(lenient.all()).isEqualTo(0);
    // (#20 has a stored checkpoint, so a cut back to it passes even the requirement: see the next case)
    cut = new ArrayList<>(lines.subList(0, lineOfEvent(lines, 22)));
    cut.add("{\"type\":\"end\",\"events\":21,\"checkpoints\":4}");
    file = Files.write(dir.resolve("cut21.jsonl"), cut);
    Run strict = cli("verify", file.toString(), "--public-key", publicKey().toString(), "--require-signed-head");
    assertThat(strict.exit).as(strict.all()).isEqualTo(1);
    assertThat(strict.out).contains("TRUNCATED at t:org-7#22", "signed head is required");
    // an export without a signed head fails the requirement
    Run unheaded = cli("verify", export(c).toString(), "--public-key", publicKey().toString(), "--require-signed-head");
    assertThat(unheaded.exit).as(unheaded.all()).isEqualTo(1);
    assertThat(unheaded.out).contains("TRUNCATED at t:org-7#23");
  }

  private static String firstCheckpointLine(List<String> lines) {
    return lines.stream().filter(l -> l.startsWith("{\"type\":\"checkpoint\"")).findFirst().orElseThrow();
  }

  private ChainVerification verify(List<String> lines) throws Exception {
    Path file = Files.write(dir.resolve("edited.jsonl"), lines);
    return ChainExportReader.open(file).verify(ChainVerifier.builder(SIGNER.keys()).build());
  }

  @Test
  void cli_exportCutShort_isTruncated() throws Exception {
    Path file = export(chain);
    List<String> lines = Files.readAllLines(file);
    Files.write(file, lines.subList(0, lines.size() - 3)); // the end line and the last two events gone
    Run r = cli("verify", file.toString(), "--public-key", publicKey().toString());
    assertThat(r.exit).as(r.all()).isEqualTo(1);
    assertThat(r.out).contains("TRUNCATED at t:org-7#21", "no end line");
  }

  @Test
  void cli_rewrittenChainWithoutCheckpoints_isCaughtByTheWitness() throws Exception {
    Path witness = dir.resolve("witness.jsonl");
    try (FileCheckpointWitness w = new FileCheckpointWitness(witness)) {
      chain.checkpoints.forEach(w::publish);
    }
    SealedChain forged = new SealedChain();
    ChainSealer sealer = ChainSealer.startingAt(ChainHead.empty(SealedChain.CHAIN));
    for (AuditEvent e : chain.events) {
      AuditEvent plain = e.toBuilder().seal(null).build();
      if (e.seal().get().sequence() == 3) {
        plain = plain.toBuilder().metadata("amount", 5).build();
      }
      forged.events.add(SealedChain.withSeal(plain, sealer.seal(plain)));
    }
    // the untouched export with its own checkpoints witnessed: each is counted once
    Path honest = export(chain);
    Run plain = cli("verify", honest.toString(), "--public-key", publicKey().toString());
    Run witnessed = cli("verify", honest.toString(), "--public-key", publicKey().toString(), "--witness",
        witness.toString());
    assertThat(witnessed.exit).as(witnessed.all()).isEqualTo(0);
    assertThat(witnessed.out).contains(plain.out.lines().filter(l -> l.contains("OK chain")).findFirst().orElseThrow());
    Path file = export(forged);
    assertThat(cli("verify", file.toString(), "--public-key", publicKey().toString()).exit).isEqualTo(0);
    Run r = cli("verify", file.toString(), "--public-key", publicKey().toString(), "--witness", witness.toString());
    assertThat(r.exit).as(r.all()).isEqualTo(1);
    assertThat(r.out).contains("CHECKPOINT_MISMATCH at t:org-7#5");
  }

  @Test
  void cli_wrongKey_isABadSignature() throws Exception {
    Path other = dir.resolve("other.pem");
    Files.writeString(other, CheckpointSigner.generateForDevelopment().publicKeyPem());
    Run r = cli("verify", export(chain).toString(), "--public-key", other.toString());
    assertThat(r.exit).isEqualTo(1);
    assertThat(r.out).contains("BAD_SIGNATURE at t:org-7#5", "untrusted key");
  }

  @Test
  void cli_badUsageAndUnreadableInput_exitWith2() throws Exception {
    Path key = publicKey();
    Path file = export(chain);
    assertThat(cli().exit).isEqualTo(2);
    for (String help : new String[] {"--help", "-h", "help"}) { // asked for: usage on stdout, exit 0
      Run h = cli(help);
      assertThat(h.exit).as(help).isEqualTo(0);
      assertThat(h.out).startsWith("usage: verify");
      assertThat(cli("verify", help).exit).isEqualTo(0);
    }
    assertThat(cli("check", file.toString()).err).contains("usage: verify");
    assertThat(cli("verify", file.toString()).err).contains("no --public-key");
    assertThat(cli("verify", "--public-key", key.toString()).err).contains("no export file");
    assertThat(cli("verify", file.toString(), "--public-key").err).contains("--public-key needs a file");
    assertThat(cli("verify", file.toString(), file.toString(), "--public-key", key.toString()).err).contains("unexpected argument");
    assertThat(cli("verify", dir.resolve("missing.jsonl").toString(), "--public-key", key.toString()).exit).isEqualTo(2);
    assertThat(cli("verify", file.toString(), "--public-key", file.toString()).err).contains("BEGIN PUBLIC KEY");
    Path empty = Files.writeString(dir.resolve("empty.jsonl"), "");
    assertThat(cli("verify", empty.toString(), "--public-key", key.toString()).err).contains("is empty");
    Path notExport = Files.writeString(dir.resolve("x.jsonl"), "{\"hello\":1}\n");
    assertThat(cli("verify", notExport.toString(), "--public-key", key.toString()).err).contains("not an auditkit chain export");
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.set(3, "{\"hello\":\"nope\"");
    Files.write(file, lines);
    Run r = cli("verify", file.toString(), "--public-key", key.toString());
    assertThat(r.exit).isEqualTo(2);
    assertThat(r.out).contains("VERDICT: CANNOT VERIFY");
    assertThat(r.err).contains("line 4");
    lines.set(3, "{\"type\":\"checkpoint\",\"checkpoint\":{\"chainId\":");
    Files.write(file, lines);
    assertThat(cli("verify", file.toString(), "--public-key", key.toString()).exit).isEqualTo(2);
  }

  @Test
  void cli_printsProgressOnLargeExports() throws Exception {
    SealedChain big = new SealedChain();
    ChainSealer sealer = ChainSealer.startingAt(ChainHead.empty(SealedChain.CHAIN));
    for (int i = 0; i < 10_000; i++) {
      AuditEvent e = TestEvents.small(SealedChain.TENANT, i);
      big.events.add(SealedChain.withSeal(e, sealer.seal(e)));
    }
    big.checkpoints.add(SIGNER.sign(sealer.head(), EXPORTED));
    Run r = cli("verify", export(big).toString(), "--public-key", publicKey().toString());
    assertThat(r.exit).as(r.all()).isEqualTo(0);
    assertThat(r.err).contains("10,000 events verified");
  }

  @Test
  void cli_asARealChildProcess_givesTheDocumentedExitCodes() throws Exception {
    Path file = export(chain);
    Path key = publicKey();
    assertThat(child(file, key)).isEqualTo(0);
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.remove(lineOfEvent(lines, 9)); // delete an event in the middle
    Files.write(file, lines);
    assertThat(child(file, key)).isEqualTo(1);
  }

  /** Leaves a good and a tampered export in target/cli-smoke for the packaged-jar check in the verify phase. */
  @Test
  void writesSmokeFilesForThePackagedCliJar() throws Exception {
    Path smoke = Path.of("target", "cli-smoke");
    Files.createDirectories(smoke);
    Files.writeString(smoke.resolve("key.pem"), SIGNER.publicKeyPem());
    try (OutputStream out = Files.newOutputStream(smoke.resolve("export.jsonl"))) {
      ChainExportWriter.export(chain.source(), List.of(SIGNER.publicKey()), EXPORTED, out);
    }
    List<String> lines = new ArrayList<>(Files.readAllLines(smoke.resolve("export.jsonl")));
    lines.remove(lineOfEvent(lines, 4));
    Files.write(smoke.resolve("tampered.jsonl"), lines);
    assertThat(cli("verify", smoke.resolve("tampered.jsonl").toString(), "--public-key",
        smoke.resolve("key.pem").toString()).exit).isEqualTo(1);
  }

  @Test
  void writer_refusesUnsealedOutOfOrderOrForeignEvents() {
    ChainExportWriter w = ChainExportWriter.open(new ByteArrayOutputStream(), SealedChain.CHAIN, List.of(), EXPORTED);
    w.write(chain.at(2));
    assertThatThrownBy(() -> w.write(chain.at(1))).hasMessageContaining("sequence order");
    assertThatThrownBy(() -> w.write(chain.at(3).toBuilder().seal(null).build())).hasMessageContaining("not sealed");
    SealedChain other = SealedChain.of(1, 0, SIGNER);
    assertThatThrownBy(() -> ChainExportWriter.open(new ByteArrayOutputStream(), "t:zzz", List.of(), EXPORTED)
        .write(other.at(1))).hasMessageContaining("t:org-7");
    w.finish();
    assertThatThrownBy(() -> w.write(chain.at(5))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> ChainExportWriter.open(null, SealedChain.CHAIN, List.of(), EXPORTED))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> ChainExportWriter.open(new ByteArrayOutputStream(), "bad", List.of(), EXPORTED))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---- helpers ----

  private Path export(SealedChain c) throws Exception {
    Path file = Files.createTempFile(dir, "export", ".jsonl");
    try (OutputStream out = Files.newOutputStream(file)) {
      ChainExportWriter.export(c.source(), List.of(SIGNER.publicKey()), EXPORTED, out);
    }
    return file;
  }

  private Path publicKey() throws Exception {
    Path p = dir.resolve("key.pub.pem");
    Files.writeString(p, SIGNER.publicKeyPem());
    return p;
  }

  /** Exports the chain, replaces {@code from} by {@code to} on event #7's line, and runs the CLI's verify on it. */
  private Run verifyWithEvent7Edited(String from, String to) throws Exception {
    Path file = export(chain);
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    int idx = lineOfEvent(lines, 7);
    assertThat(lines.get(idx)).contains(from);
    lines.set(idx, lines.get(idx).replace(from, to));
    Files.write(file, lines);
    return cli("verify", file.toString(), "--public-key", publicKey().toString());
  }

  private static int lineOfEvent(List<String> lines, long seq) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("{\"type\":\"event\"") && lines.get(i).contains("\"sequence\":" + seq + ",")) {
        return i;
      }
    }
    throw new AssertionError("no event #" + seq);
  }

  private record Run(int exit, String out, String err) {
    String all() {
      return out + err;
    }
  }

  private static Run cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = VerifyCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static int child(Path file, Path key) throws Exception {
    Process p = new ProcessBuilder(TestEvents.javaBinary().toString(), "-cp", TestEvents.testClassPath(),
        VerifyCommand.class.getName(), "verify", file.toString(), "--public-key", key.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(out).isTrue();
    assertThat(out).contains("VERDICT:");
    return p.exitValue();
  }
}
