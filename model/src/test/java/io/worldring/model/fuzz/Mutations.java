package io.worldring.model.fuzz;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Malformed inputs made from a valid one, as jqwik arbitraries: byte edits (truncation, bit flips, inserted,
 * deleted and duplicated bytes, numbers that are huge or negative written over binary fields) and, for JSON,
 * edits of the tree (a value replaced by a huge number, another type or a deep nest; a key removed). Each
 * mutant says how it was made, and shrinks towards fewer and smaller edits, so a failing property reports
 * the smallest change of the valid input that breaks a parser.
 */
public final class Mutations {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MARK = "@@fuzz-mark-";
  private static final String REMOVE = "@@remove@@";

  /** Numbers that break length, count and size fields: sign, the limits of each width, powers of two, large dimensions. */
  static final List<Long> NUMBERS = List.of(0L, -1L, 1L, 0x7fL, 0x80L, 0xffL, 0x7fffL, 0xffffL, 0x10000L, 30_000L, 0x7fff_ffffL,
      0x8000_0000L, 0xffff_ffffL, 1L << 32, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE, (long) Integer.MIN_VALUE, -0x8000_0001L);

  /** JSON values of the wrong size or type, written in place of a value of the valid document. */
  static final List<String> JSON_VALUES = List.of("99999999999999999999999", "1e400", "-1e400", "-1", "0", "2147483647", "2147483648",
      "-2147483649", "9223372036854775808", "4294967297", "1.5", "-0.0", "1e-400", "\"\"", "\"x\"", "\"12\"", "null", "true",
      "[]", "{}", "[1, 2]", "{\"a\": 1}", "\"" + "a".repeat(5000) + "\"", "[".repeat(1100) + "]".repeat(1100));

  private Mutations() {}

  /** A malformed input and how it was made; the description, not the bytes, is what a failing property prints. */
  public record Mutant(byte[] bytes, String how) {
    public String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return how + " -> " + bytes.length + " bytes";
    }
  }

  /** One edit of a byte array; positions past the end (after earlier edits) are clamped. */
  public sealed interface Edit {
    byte[] apply(byte[] in);
  }

  record Truncate(int at) implements Edit {
    public byte[] apply(byte[] in) {
      return Arrays.copyOf(in, Math.min(at, in.length));
    }
  }

  record FlipBit(int at, int bit) implements Edit {
    public byte[] apply(byte[] in) {
      if (in.length == 0) {
        return in;
      }
      byte[] out = in.clone();
      out[at % in.length] ^= (byte) (1 << bit);
      return out;
    }
  }

  record SetByte(int at, byte value) implements Edit {
    public byte[] apply(byte[] in) {
      if (in.length == 0) {
        return in;
      }
      byte[] out = in.clone();
      out[at % in.length] = value;
      return out;
    }
  }

  record Insert(int at, byte[] bytes) implements Edit {
    public byte[] apply(byte[] in) {
      int p = Math.min(at, in.length);
      byte[] out = new byte[in.length + bytes.length];
      System.arraycopy(in, 0, out, 0, p);
      System.arraycopy(bytes, 0, out, p, bytes.length);
      System.arraycopy(in, p, out, p + bytes.length, in.length - p);
      return out;
    }

    @Override
    public String toString() {
      return "Insert[at=" + at + ", bytes=" + Arrays.toString(bytes) + "]";
    }
  }

  record Delete(int at, int length) implements Edit {
    public byte[] apply(byte[] in) {
      int p = Math.min(at, in.length);
      int n = Math.min(length, in.length - p);
      byte[] out = new byte[in.length - n];
      System.arraycopy(in, 0, out, 0, p);
      System.arraycopy(in, p + n, out, p, in.length - p - n);
      return out;
    }
  }

  record Duplicate(int at, int length) implements Edit {
    public byte[] apply(byte[] in) {
      int p = Math.min(at, in.length);
      int n = Math.min(length, in.length - p);
      return new Insert(p + n, Arrays.copyOfRange(in, p, p + n)).apply(in);
    }
  }

  /**
   * A number of {@code width} bytes written over the bytes at {@code at}, as in a binary header: its low bytes,
   * little-endian (safetensors, llama2.c, GIF) or big-endian (PNG, MP4).
   */
  record PutNumber(int at, long value, int width, boolean bigEndian) implements Edit {
    public byte[] apply(byte[] in) {
      if (in.length < width) {
        return in;
      }
      byte[] out = in.clone();
      byte[] v = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
      int p = Math.min(at, in.length - width);
      for (int i = 0; i < width; i++) {
        out[p + i] = v[bigEndian ? width - 1 - i : i];
      }
      return out;
    }
  }

  /**
   * Byte-level mutants of {@code valid}: one to three edits, half of their positions within the first
   * {@code hotBytes} bytes (a binary format's header, where lengths and counts live).
   */
  public static Arbitrary<Mutant> bytes(byte[] valid, int hotBytes) {
    return edits(valid.length, hotBytes).list().ofMinSize(1).ofMaxSize(3).map(list -> apply(valid, list, "bytes"));
  }

  /** Random bytes of up to {@code maxLength}: no relation to the format at all. */
  public static Arbitrary<Mutant> noise(int maxLength) {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxLength).map(b -> new Mutant(b, "random bytes"));
  }

  /**
   * Mutants of a JSON document: a value replaced by one of {@link #JSON_VALUES} or {@code extraValues} (raw
   * JSON), or removed, and in one case of three byte edits on top (broken syntax).
   */
  public static Arbitrary<Mutant> json(String valid, String... extraValues) {
    JsonNode root = parse(valid);
    List<JsonPointer> paths = new ArrayList<>();
    collect(root, JsonPointer.empty(), paths);
    List<String> values = new ArrayList<>(JSON_VALUES);
    values.addAll(List.of(extraValues));
    values.add(REMOVE);
    Arbitrary<Tuple.Tuple2<JsonPointer, String>> replace = Combinators.combine(Arbitraries.of(paths), Arbitraries.of(values)).as(Tuple::of);
    Arbitrary<Mutant> structural = replace.list().ofMinSize(1).ofMaxSize(2).map(edits -> {
      JsonNode copy = root.deepCopy();
      StringBuilder how = new StringBuilder("json");
      List<String> raw = new ArrayList<>();
      for (Tuple.Tuple2<JsonPointer, String> e : edits) {
        copy = replace(copy, e.get1(), e.get2(), raw);
        how.append(' ').append(e.get1().toString().isEmpty() ? "<root>" : e.get1()).append(" := ")
            .append(e.get2().equals(REMOVE) ? "<removed>" : abbreviate(e.get2()));
      }
      String text = copy.toPrettyString();
      for (int i = 0; i < raw.size(); i++) {
        text = text.replace("\"" + MARK + i + "\"", raw.get(i));
      }
      return new Mutant(text.getBytes(StandardCharsets.UTF_8), how.toString());
    });
    byte[] validBytes = valid.getBytes(StandardCharsets.UTF_8);
    return Arbitraries.frequencyOf(
        Tuple.of(4, structural),
        Tuple.of(2, bytes(validBytes, validBytes.length)),
        Tuple.of(1, structural.flatMap(m -> edits(m.bytes().length, m.bytes().length).list().ofMinSize(1).ofMaxSize(2)
            .map(list -> apply(m.bytes(), list, m.how() + "; bytes")))));
  }

  /** Mutants of a JSON Lines file: one line's object mutated as {@link #json}, or byte edits anywhere (invalid UTF-8 included). */
  public static Arbitrary<Mutant> jsonLines(String valid, String... extraValues) {
    List<String> lines = valid.lines().toList();
    Arbitrary<Mutant> oneLine = Arbitraries.integers().between(0, lines.size() - 1).flatMap(i ->
        json(lines.get(i), extraValues).map(m -> {
          List<String> out = new ArrayList<>(lines);
          out.set(i, m.text().replace('\n', ' '));
          return new Mutant((String.join("\n", out) + "\n").getBytes(StandardCharsets.UTF_8), "line " + (i + 1) + ": " + m.how());
        }));
    byte[] validBytes = valid.getBytes(StandardCharsets.UTF_8);
    Arbitrary<Mutant> badUtf8 = Combinators.combine(Arbitraries.integers().between(0, validBytes.length),
        Arbitraries.of(new byte[] {(byte) 0xff}, new byte[] {(byte) 0xc3, 0x28}, new byte[] {(byte) 0xe2, (byte) 0x82},
            new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, new byte[] {0}, new byte[] {'\n'}, new byte[] {'\r'}))
        .as((at, b) -> apply(validBytes, List.of(new Insert(at, b)), "utf-8"));
    return Arbitraries.frequencyOf(Tuple.of(4, oneLine), Tuple.of(2, bytes(validBytes, validBytes.length)), Tuple.of(1, badUtf8));
  }

  static Arbitrary<Edit> edits(int length, int hotBytes) {
    Arbitrary<Integer> at = Arbitraries.frequencyOf(
        Tuple.of(1, Arbitraries.integers().between(0, Math.max(0, length))),
        Tuple.of(1, Arbitraries.integers().between(0, Math.max(0, Math.min(hotBytes, length)))));
    Arbitrary<Integer> span = Arbitraries.integers().between(1, 64);
    return Arbitraries.oneOf(
        at.map(Truncate::new),
        Combinators.combine(at, Arbitraries.integers().between(0, 7)).as(FlipBit::new),
        Combinators.combine(at, Arbitraries.bytes()).as(SetByte::new),
        Combinators.combine(at, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(16)).as(Insert::new),
        Combinators.combine(at, span).as(Delete::new),
        Combinators.combine(at, span).as(Duplicate::new),
        Combinators.combine(at, Arbitraries.of(NUMBERS), Arbitraries.of(1, 2, 4, 8), Arbitraries.of(false, true)).as(PutNumber::new));
  }

  static Mutant apply(byte[] valid, List<Edit> edits, String kind) {
    byte[] b = valid;
    for (Edit e : edits) {
      b = e.apply(b);
    }
    return new Mutant(b, kind + " " + edits.stream().map(Object::toString).collect(Collectors.joining(", ")));
  }

  private static JsonNode parse(String valid) {
    try {
      return JSON.readTree(valid);
    } catch (IOException e) {
      throw new UncheckedIOException("the valid input is not JSON", e);
    }
  }

  private static void collect(JsonNode node, JsonPointer at, List<JsonPointer> out) {
    out.add(at);
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        collect(f.getValue(), at.append(JsonPointer.compile("/" + f.getKey().replace("~", "~0").replace("/", "~1"))), out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collect(node.get(i), at.append(JsonPointer.compile("/" + i)), out);
      }
    }
  }

  /**
   * {@code root} with the value at {@code at} set to raw JSON {@code value}, or removed for {@link #REMOVE}. The tree
   * holds a numbered mark there, replaced by {@code raw}'s entry of that number once the tree is text.
   */
  private static JsonNode replace(JsonNode root, JsonPointer at, String value, List<String> raw) {
    boolean remove = value.equals(REMOVE);
    JsonNode mark = TextNode.valueOf(MARK + raw.size());
    if (at.toString().isEmpty()) {
      if (remove) {
        return JSON.createObjectNode();
      }
      raw.add(value);
      return mark;
    }
    JsonNode parent = root.at(at.head());
    if (parent instanceof ObjectNode o && o.has(at.last().getMatchingProperty())) {
      if (remove) {
        o.remove(at.last().getMatchingProperty());
      } else {
        o.set(at.last().getMatchingProperty(), mark);
        raw.add(value);
      }
    } else if (parent instanceof ArrayNode a && at.last().getMatchingIndex() >= 0 && at.last().getMatchingIndex() < a.size()) {
      if (remove) {
        a.remove(at.last().getMatchingIndex());
      } else {
        a.set(at.last().getMatchingIndex(), mark);
        raw.add(value);
      }
    } // else: the place went with an earlier edit
    return root;
  }

  private static String abbreviate(String s) {
    return s.length() <= 24 ? s : s.substring(0, 12) + "..." + s.length() + " chars";
  }
}
