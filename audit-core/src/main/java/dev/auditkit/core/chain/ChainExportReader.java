package dev.auditkit.core.chain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.JsonNode;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.chain.internal.CheckpointJson;
import dev.auditkit.core.chain.internal.Pem;
import dev.auditkit.core.InvalidAuditEventException;
import dev.auditkit.core.Seal;
import dev.auditkit.core.chain.internal.StandIns;
import dev.auditkit.core.internal.EventJson;
import dev.auditkit.core.internal.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.Spliterators;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Reads an export written by {@link ChainExportWriter} as a {@link ChainSource}, streaming (each
 * stream re-reads the file), and verifies it including its end line: an export cut short is
 * {@link TamperKind#TRUNCATED}. Malformed content fails with {@link ChainExportException} naming
 * the line.
 */
public final class ChainExportReader {
  private final Path file;
  private final String chainId;
  private final String exportedAt;
  private final List<PublicKey> listedKeys;

  private ChainExportReader(Path file, String chainId, String exportedAt, List<PublicKey> listedKeys) {
    this.file = file;
    this.chainId = chainId;
    this.exportedAt = exportedAt;
    this.listedKeys = listedKeys;
  }

  /**
   * Opens an export and reads its header.
   *
   * @throws ChainExportException if the file cannot be read or is not a version-1 chain export
   */
  public static ChainExportReader open(Path file) {
    Objects.requireNonNull(file, "file");
    String first;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      first = r.readLine();
    } catch (IOException e) {
      throw new ChainExportException("cannot read " + file + ": " + e, e);
    }
    if (first == null) {
      throw new ChainExportException(file + " is empty");
    }
    JsonNode h = parse(first, 1);
    if (!"header".equals(h.path("type").asText()) || !ChainExportWriter.FORMAT.equals(h.path("format").asText())) {
      throw new ChainExportException(file + " line 1: not an auditkit chain export header");
    }
    if (h.path("version").asInt() != ChainExportWriter.VERSION) {
      throw new ChainExportException(file + " line 1: unsupported export version " + h.path("version"));
    }
    if (!CanonicalEncoding.VERSION.equals(h.path("encoding").asText())) {
      throw new ChainExportException(file + " line 1: unsupported encoding " + h.path("encoding"));
    }
    String chainId = h.path("chainId").asText();
    try {
      ChainIds.require(chainId);
    } catch (IllegalArgumentException e) {
      throw new ChainExportException(file + " line 1: " + e.getMessage(), e);
    }
    List<PublicKey> keys = new ArrayList<>();
    for (JsonNode k : h.path("publicKeys")) {
      try {
        keys.add(Pem.publicKey(Base64.getDecoder().decode(k.path("spki").asText())));
      } catch (IllegalArgumentException e) {
        throw new ChainExportException(file + " line 1: unreadable public key: " + e.getMessage(), e);
      }
    }
    return new ChainExportReader(file, chainId, h.path("exportedAt").asText(), Collections.unmodifiableList(keys));
  }

  public String chainId() {
    return chainId;
  }

  /** The export time as written in the header. */
  public String exportedAt() {
    return exportedAt;
  }

  /** The public keys the header lists. Informational only: trust keys obtained separately. */
  public List<PublicKey> listedKeys() {
    return listedKeys;
  }

  /** The export as a source for {@link ChainVerifier}. */
  public ChainSource source() {
    return new ChainSource() {
      @Override
      public String chainId() {
        return chainId;
      }

      @Override
      public Stream<AuditEvent> events() {
        EventLines lines = new EventLines();
        return lines("event", lines::event, lines::unparseable, lines::checkpoint);
      }

      @Override
      public Stream<Checkpoint> checkpoints() {
        return lines("checkpoint", (n, lineNo) -> CheckpointJson.fromJson(n.get("checkpoint")), null, null);
      }
    };
  }

  /**
   * The event lines of one stream, in file order. A line that no longer holds an event as auditkit
   * wrote it (edited, or not even JSON any more while its start still says it is an event) becomes
   * a stand-in at the position it holds, so the verdict is MODIFIED there; where its seal cannot be
   * read, the position is the one after the previous event line.
   */
  private final class EventLines {
    /** The position before the next event line: the previous event's, or a later checkpoint's. */
    private long lastSequence;
    private String lastHash = "";

    /** A checkpoint line: the writer puts it after its event, or first, before a purged chain's events. */
    void checkpoint(JsonNode line) {
      JsonNode cp = line.path("checkpoint");
      long seq = cp.path("sequence").asLong(0);
      if (seq > lastSequence) {
        lastSequence = seq;
        lastHash = cp.path("headHash").asText("");
      }
    }

    AuditEvent event(JsonNode line, long lineNo) {
      JsonNode n = line.get("event");
      AuditEvent e = n != null && n.isObject() ? ChainExportReader.this.event(n, lineNo, this)
          : standIn(line.toString(), lineNo, "the line holds no event object", false);
      Seal s = e.seal().orElseThrow(); // every event of this reader has one
      lastSequence = s.sequence();
      lastHash = s.hash();
      return e;
    }

    AuditEvent unparseable(String line, long lineNo, String problem) {
      AuditEvent e = standIn(line, lineNo, "the line is not valid JSON: " + problem, true);
      lastSequence = e.seal().orElseThrow().sequence();
      lastHash = ""; // unknown: the line held it
      return e;
    }

    /** A stand-in for line {@code lineNo}, at the position after the previous event line. */
    AuditEvent standIn(String line, long lineNo, String problem, boolean notJson) {
      Matcher m = WRITTEN_ID.matcher(line);
      return standInFor(m.lookingAt() ? idOrNone(m.group(1)) : NO_ID, null, "", fallbackSeal(), lineNo, problem, notJson);
    }

    Seal fallbackSeal() {
      return new Seal(chainId, lastSequence + 1, lastHash, "");
    }
  }

  /** The stand-in for an unreadable event line; why is kept for the verdict (see {@link #verify}). */
  private AuditEvent standInFor(UUID id, Instant at, String atText, Seal seal, long lineNo, String problem,
      boolean notJson) {
    String reason = "line " + lineNo + ": " + problem;
    AuditEvent standIn = StandIns.unreadable(id, at, atText, seal, reason);
    if (unreadable.size() < MAX_REASONS) {
      unreadable.putIfAbsent(new Place(seal.sequence(), id), new Unreadable(lineNo, reason, notJson));
    }
    return standIn;
  }

  /** The id {@code text} names, or {@link #NO_ID}. */
  private static UUID idOrNone(String text) {
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException notAnId) {
      return NO_ID;
    }
  }

  /** A stand-in's place: the position its seal names and the id it carries, as a verdict names them. */
  private record Place(long sequence, UUID id) {}

  /** Why the event line {@code lineNo} became a stand-in; {@code notJson} when it did not parse. */
  private record Unreadable(long lineNo, String reason, boolean notJson) {}

  /**
   * The event of a line, hashed as written rather than cleaned up. One the model refuses or would
   * change (edited in the file) gets a stand-in that does not hash to its seal: MODIFIED there, as
   * for any other edit, instead of stopping the verification.
   */
  private AuditEvent event(JsonNode n, long lineNo, EventLines lines) {
    try {
      AuditEvent e = EventJson.fromJsonExact(n);
      // everything on the line is covered by the hash: a member auditkit does not write (which the
      // verifier would otherwise skip), or a member of another type, is an edit of the file
      if (!n.equals(SAME_VALUE, EventJson.toJson(e))) {
        throw new InvalidAuditEventException("event", "the line holds members or values that auditkit does not write");
      }
      return e;
    } catch (InvalidAuditEventException | IllegalArgumentException | NullPointerException
        | java.time.DateTimeException e) {
      // IllegalArgument: an unknown enum name; NullPointer: a member the reader needs is missing or
      // null ("seal": null); DateTime: a time that is no time. Each is an edit of the line
      JsonNode seal = n.path("seal");
      Instant at;
      try {
        at = Instant.parse(n.path("occurredAt").asText());
      } catch (DateTimeParseException unreadable) {
        at = null;
      }
      UUID id = idOrNone(n.path("id").asText());
      // the seal as written, so that the verifier judges its position; one that cannot even be a
      // seal is taken to stand after the previous event line
      Seal s = seal.path("chainId").isTextual() && seal.path("sequence").canConvertToLong()
          && seal.path("sequence").asLong() >= 1 && seal.path("previousHash").isTextual()
          && seal.path("hash").isTextual()
          ? new Seal(seal.path("chainId").asText(), seal.path("sequence").asLong(), seal.path("previousHash").asText(),
              seal.path("hash").asText())
          : lines.fallbackSeal();
      String why = e instanceof NullPointerException ? "a member auditkit writes is missing or null"
          : e instanceof java.time.DateTimeException ? "a time that cannot be read: " + e.getMessage() : e.getMessage();
      try {
        return standInFor(id, at, n.path("occurredAt").asText(), s, lineNo, why, false);
      } catch (RuntimeException notAChain) { // the seal names no chain an event can belong to
        return standInFor(id, at, n.path("occurredAt").asText(), lines.fallbackSeal(), lineNo, why, false);
      }
    }
  }

  /**
   * Verifies the export with {@code verifier} and checks its end line. An event line that no longer
   * holds an event auditkit wrote is MODIFIED at its position, and the detail names the line; the
   * last line cut off inside an event, with no end line after it, is TRUNCATED there (a copy that
   * stopped). One reader verifies one export at a time.
   *
   * @throws ChainExportException for unreadable or malformed content that cannot be placed in the chain
   */
  public ChainVerification verify(ChainVerifier verifier) {
    return verify(verifier, source());
  }

  /** Like {@link #verify(ChainVerifier)} over another source built on this export (e.g. with witness checkpoints). */
  public ChainVerification verify(ChainVerifier verifier, ChainSource source) {
    unreadable.clear();
    // first, in one pass: lines added after the end line are an error whatever the chain says
    Layout layout = layout();
    ChainVerification r = verifier.verify(source);
    if (!r.ok()) {
      Unreadable why = r.eventId().map(id -> unreadable.get(new Place(r.position(), id))).orElse(null);
      if (why == null) {
        return r;
      }
      if (why.notJson() && why.lineNo() == layout.lastLine() && layout.end() == null) {
        return new ChainVerification(r.chainId(), TamperKind.TRUNCATED, r.position(), null,
            "the file ends inside the line of #" + r.position() + " (line " + why.lineNo() + ") and has no end line: "
            + "it was cut short", r.eventsChecked(), r.checkpointsChecked(), r.lastSequence(), r.headHash(),
            r.warnings());
      }
      return new ChainVerification(r.chainId(), r.kind().orElseThrow(), r.position(), r.eventId().orElse(null),
          r.detail() + " (" + why.reason() + ")", r.eventsChecked(), r.checkpointsChecked(), r.lastSequence(),
          r.headHash(), r.warnings());
    }
    JsonNode end = layout.end();
    String problem = null;
    TamperKind kind = TamperKind.TRUNCATED;
    long events = layout.events();
    long checkpoints = layout.checkpoints();
    if (end == null) {
      problem = "the export has no end line: the file was cut short after #" + r.lastSequence();
    } else if (end.path("events").asLong(-1) != events) {
      problem = "the end line counts " + end.path("events") + " events but the file holds " + events;
    } else if (end.path("checkpoints").asLong(-1) != checkpoints) {
      long counted = end.path("checkpoints").asLong(-1);
      kind = checkpoints < counted ? TamperKind.MISSING : TamperKind.INSERTED;
      problem = "the end line counts " + end.path("checkpoints") + " checkpoints but the file holds " + checkpoints
          + (checkpoints < counted ? ": checkpoint lines were removed" : ": checkpoint lines were added")
          + " (which ones the count cannot say; reported at the end of the chain)";
    }
    if (problem == null) {
      return r;
    }
    return new ChainVerification(r.chainId(), kind, r.lastSequence() + 1, null, problem,
        r.eventsChecked(), r.checkpointsChecked(), r.lastSequence(), r.headHash(), r.warnings());
  }

  /**
   * What one pass over the file finds: its end line (the first), the numbers of that line and of
   * the last line that is not blank, and how many event and checkpoint lines it holds (event lines
   * that no longer parse included; they become stand-ins).
   */
  private record Layout(JsonNode end, long endLine, long lastLine, long events, long checkpoints) {}

  /**
   * Reads the file once for its {@link Layout}.
   *
   * @throws ChainExportException when the end line is unreadable, or any line follows it (a second
   *     end line too): the writer ends every export with it, so whatever comes after was added
   */
  private Layout layout() {
    long lineNo = 0;
    long last = 0;
    long events = 0;
    long checkpoints = 0;
    long endLine = -1;
    long cutType = -1;
    String endText = null;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (lineNo == 1 || line.isBlank()) {
          continue; // the header; blank lines hold nothing
        }
        last = lineNo;
        String type;
        if (line.startsWith("{\"type\":\"")) {
          type = typeOf(line); // as the writer puts it
          if (type == null) {
            cutType = lineNo; // cut inside its type: only the end of a copy that stopped may look so
            continue;
          }
        } else {
          type = parse(line, lineNo).path("type").asText(); // not JSON: refused, as reading the chain would
        }
        if (!KNOWN.contains(type)) {
          throw new ChainExportException(file + " line " + lineNo + ": not a line an auditkit export holds");
        }
        switch (type) {
          case "event" -> events++;
          case "checkpoint" -> checkpoints++;
          case "end" -> {
            if (endText == null) {
              endLine = lineNo;
              endText = line;
            }
          }
          default -> { }
        }
      }
    } catch (IOException e) {
      throw new ChainExportException("cannot read " + file + " after line " + lineNo + ": " + e, e);
    }
    if (cutType > 0 && (cutType != last || endText != null)) {
      throw new ChainExportException(file + " line " + cutType + ": not a line an auditkit export holds"
          + " (it ends inside its type)");
    }
    JsonNode end = endText == null ? null : parse(endText, endLine);
    if (end != null && last != endLine) {
      throw new ChainExportException(file + " line " + last + " follows the end line (line " + endLine
          + "): an export ends with its end line, so the lines after it were added");
    }
    return new Layout(end, endLine, last, events, checkpoints);
  }

  /** Maps a parsed line of the wanted type; gets its line number. */
  private interface LineMapper<T> {
    T map(JsonNode line, long lineNo);
  }

  /** Maps a line that starts as one of the wanted type but is not JSON. */
  private interface Unparseable<T> {
    T map(String line, long lineNo, String problem);
  }

  /**
   * The lines of {@code type}, mapped. A line that is not JSON fails the stream with a {@link
   * ChainExportException} naming it, unless it starts as a line of this type (the writer puts
   * {@code "type"} first) and {@code unparseable} is given, which maps it instead. So does a line
   * of a type no export holds: the writer writes none, and skipping it would let anything be added
   * to a file that still verifies. {@code checkpoints}, if given, sees the checkpoint lines.
   */
  private <T> Stream<T> lines(String type, LineMapper<T> mapper, Unparseable<T> unparseable,
      Consumer<JsonNode> checkpoints) {
    BufferedReader r;
    try {
      r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ChainExportException("cannot read " + file + ": " + e, e);
    }
    String prefix = "{\"type\":\"" + type + "\"";
    Iterator<T> it = new Iterator<>() {
      long lineNo;
      T next;

      @Override
      public boolean hasNext() {
        while (next == null) {
          String line;
          try {
            line = r.readLine();
          } catch (IOException e) {
            throw new ChainExportException("cannot read " + file + " after line " + lineNo + ": " + e, e);
          }
          if (line == null) {
            return false;
          }
          lineNo++;
          if (lineNo == 1 || line.isBlank()) {
            continue;
          }
          boolean other = line.startsWith("{\"type\":\"") && !line.startsWith(prefix);
          if (other && typeOf(line) == null) {
            continue; // cut inside its type: the end of a copy that stopped (verify's layout refuses any other)
          }
          if (other && !KNOWN.contains(typeOf(line))) {
            throw new ChainExportException(file + " line " + lineNo + ": not a line an auditkit export holds");
          }
          if (other && (checkpoints == null || !line.startsWith(CHECKPOINT_LINE))) {
            continue; // another line type, written by our writer with "type" first
          }
          JsonNode n;
          try {
            n = parse(line, lineNo);
          } catch (ChainExportException notJson) {
            if (unparseable == null || !line.startsWith(prefix)) {
              throw notJson;
            }
            next = unparseable.map(line, lineNo, notJson.getCause() instanceof JsonProcessingException j
                ? j.getOriginalMessage() : "not a JSON object");
            continue;
          }
          String nType = n.path("type").asText();
          if (!KNOWN.contains(nType)) {
            throw new ChainExportException(file + " line " + lineNo + ": not a line an auditkit export holds");
          }
          if (checkpoints != null && nType.equals("checkpoint")) {
            checkpoints.accept(n);
            continue;
          }
          if (!type.equals(nType)) {
            continue;
          }
          try {
            next = mapper.map(n, lineNo);
          } catch (RuntimeException e) {
            throw new ChainExportException(file + " line " + lineNo + ": malformed " + type + ": " + e.getMessage(), e);
          }
        }
        return true;
      }

      @Override
      public T next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        T t = next;
        next = null;
        return t;
      }
    };
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, 0), false).onClose(() -> {
      try {
        r.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** The line types an export holds after its header. */
  private static final Set<String> KNOWN = Set.of("event", "checkpoint", "end");
  private static final String CHECKPOINT_LINE = "{\"type\":\"checkpoint\"";

  /**
   * The type a line starting {@code {"type":"} names, up to the next quote; null when the line ends
   * before it (a copy cut there: {@link #layout} allows that only as the file's last line).
   */
  private static String typeOf(String line) {
    int from = "{\"type\":\"".length();
    int to = line.indexOf('"', from);
    return to < 0 ? null : line.substring(from, to);
  }

  /** The id of an event line as the writer starts it, to name an event whose line no longer parses. */
  private static final Pattern WRITTEN_ID = Pattern.compile("\\{\"type\":\"event\",\"event\":\\{\"id\":\"([0-9a-fA-F-]{36})\"");
  /** The id named for an event line whose id cannot be read. */
  private static final UUID NO_ID = new UUID(0, 0);
  /** Reasons kept for the verdict: the first bad position is one of the first stand-ins. */
  private static final int MAX_REASONS = 1_000;

  /** Why event lines became stand-ins, by their place, from the event streams of the verify under way. */
  private final Map<Place, Unreadable> unreadable = new ConcurrentHashMap<>();

  /** Equal JSON values, numbers compared by value (a line reads 7 as an int where the writer held a long). */
  private static final java.util.Comparator<JsonNode> SAME_VALUE = (a, b) -> {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue());
    }
    return a.equals(b) ? 0 : 1;
  };

  /** A key twice in one object is no JSON auditkit writes, and readers disagree on which one counts. */
  private static final ObjectReader LINES = Json.MAPPER.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS); // no text after the object

  private static JsonNode parse(String line, long lineNo) {
    try {
      JsonNode n = LINES.readTree(line);
      if (n == null || !n.isObject()) {
        throw new ChainExportException("line " + lineNo + ": not a JSON object");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new ChainExportException("line " + lineNo + ": invalid JSON: " + e.getOriginalMessage(), e);
    }
  }
}
