package io.worldring.model.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.BadInputException;
import io.worldring.model.Parameters;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Hugging Face safetensors format: an 8-byte little-endian header length N, N bytes of JSON
 * ({@code name -> {dtype, shape, data_offsets: [begin, end]}} plus an optional {@code __metadata__}
 * map of strings), then the raw little-endian tensor bytes, fully indexed with no holes.
 *
 * <p>Reading validates everything before a tensor is created, so a truncated or malformed file is
 * rejected with a message naming the file and what is wrong, and nothing is half-loaded.
 */
public final class Safetensors {
  /** Larger headers are refused: a hostile length must not make us allocate gigabytes. */
  static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private Safetensors() {}

  /** One tensor's entry in the header. */
  public record Entry(String name, String dtype, long[] shape, long begin, long end) {
    public long elements() {
      long n = 1;
      for (long s : shape) {
        n *= s;
      }
      return n;
    }
  }

  /** A parsed, validated header. */
  public record Header(Path file, long dataStart, Map<String, Entry> entries, Map<String, String> metadata) {}

  public static Header readHeader(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw bad(file, "file is " + size + " bytes, shorter than the 8-byte header length");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0);
      long headerLen = lenBuf.flip().getLong();
      if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES) {
        throw bad(file, "header length " + headerLen + " (bytes 0-7) is outside 1.." + MAX_HEADER_BYTES);
      }
      if (8 + headerLen > size) {
        throw bad(file, "truncated: header says " + headerLen + " bytes of JSON but the file has only " + (size - 8) + " after the length");
      }
      ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
      readFully(ch, headerBuf, 8);
      Header header = parseHeader(file, headerBuf.array(), 8 + headerLen);
      long dataBytes = header.entries().values().stream().mapToLong(Entry::end).max().orElse(0);
      if (header.dataStart() + dataBytes != size) {
        throw bad(file, (header.dataStart() + dataBytes > size ? "truncated" : "trailing bytes") + ": the header indexes "
            + dataBytes + " data bytes, so the file should be " + (header.dataStart() + dataBytes) + " bytes, but it is " + size);
      }
      return header;
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": no such file");
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  private static Header parseHeader(Path file, byte[] json, long dataStart) {
    JsonNode root = JsonFiles.parse(JSON, json, file + ": header (bytes 8-" + (dataStart - 1) + ")");
    if (!root.isObject()) {
      throw bad(file, "header is not a JSON object");
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (f.getKey().equals("__metadata__")) {
        if (!f.getValue().isObject()) {
          throw bad(file, "__metadata__ must be an object of strings");
        }
        f.getValue().fields().forEachRemaining(m -> {
          if (!m.getValue().isTextual()) {
            throw bad(file, "__metadata__." + m.getKey() + " must be a string");
          }
          metadata.put(m.getKey(), m.getValue().asText());
        });
        continue;
      }
      entries.put(f.getKey(), parseEntry(file, f.getKey(), f.getValue()));
    }
    List<Entry> byOffset = new ArrayList<>(entries.values());
    byOffset.sort(Comparator.comparingLong(Entry::begin));
    long expected = 0;
    for (Entry e : byOffset) {
      if (e.begin() != expected) {
        throw bad(file, "tensor " + e.name() + " starts at data byte " + e.begin() + " but the previous one ends at " + expected
            + " (the data must be fully indexed, without holes or overlaps)");
      }
      expected = e.end();
    }
    return new Header(file, dataStart, entries, metadata);
  }

  private static Entry parseEntry(Path file, String name, JsonNode node) {
    String where = "tensor " + name;
    if (!node.isObject()) {
      throw bad(file, where + " is not an object");
    }
    JsonNode dtype = node.get("dtype");
    JsonNode shape = node.get("shape");
    JsonNode offsets = node.get("data_offsets");
    if (dtype == null || !dtype.isTextual() || shape == null || !shape.isArray() || offsets == null || !offsets.isArray() || offsets.size() != 2) {
      throw bad(file, where + " needs dtype (string), shape (array) and data_offsets ([begin, end])");
    }
    int elementSize = elementSize(dtype.asText());
    if (elementSize < 0) {
      throw bad(file, where + " has unsupported dtype " + dtype.asText() + " (supported: F64, F32, F16, BF16)");
    }
    long[] dims = new long[shape.size()];
    long bytes = elementSize;
    for (int i = 0; i < dims.length; i++) {
      JsonNode d = shape.get(i);
      if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
        throw bad(file, where + " has an invalid shape entry " + d);
      }
      dims[i] = d.asLong();
      try {
        bytes = Math.multiplyExact(bytes, dims[i]);
      } catch (ArithmeticException e) {
        throw bad(file, where + " has shape " + shape + ", more bytes than any file holds");
      }
    }
    if (!offsets.get(0).isIntegralNumber() || !offsets.get(0).canConvertToLong()
        || !offsets.get(1).isIntegralNumber() || !offsets.get(1).canConvertToLong()) {
      throw bad(file, where + " has data_offsets " + offsets + " that are not 64-bit integers");
    }
    long begin = offsets.get(0).asLong();
    long end = offsets.get(1).asLong();
    if (begin < 0 || end < begin) {
      throw bad(file, where + " has invalid data_offsets [" + begin + ", " + end + "]");
    }
    if (end - begin != bytes) {
      throw bad(file, where + " holds " + (end - begin) + " bytes but its shape " + java.util.Arrays.toString(dims)
          + " of " + dtype.asText() + " needs " + bytes);
    }
    return new Entry(name, dtype.asText(), dims, begin, end);
  }

  static int elementSize(String dtype) {
    return switch (dtype) {
      case "F64" -> 8;
      case "F32" -> 4;
      case "F16", "BF16" -> 2;
      default -> -1;
    };
  }

  /** Reads every tensor, converted to {@code type}. */
  public static Parameters read(Path file, DataType type) {
    Header header = readHeader(file);
    Parameters out = new Parameters();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      for (Entry e : header.entries().values()) {
        out.put(e.name(), readTensor(ch, header.dataStart(), e, type));
      }
    } catch (IOException ex) {
      throw new BadInputException(file + ": cannot read (" + ex.getMessage() + ")", ex);
    }
    return out;
  }

  static INDArray readTensor(FileChannel ch, long dataStart, Entry e, DataType type) throws IOException {
    long bytes = e.end() - e.begin();
    if (bytes > Integer.MAX_VALUE) {
      throw new BadInputException("tensor " + e.name() + " is larger than 2 GiB, which this reader does not split");
    }
    ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), bytes).order(ByteOrder.LITTLE_ENDIAN);
    int n = (int) e.elements();
    INDArray array;
    switch (e.dtype()) {
      case "F64" -> {
        double[] v = new double[n];
        buf.asDoubleBuffer().get(v);
        array = Nd4j.create(v, e.shape(), DataType.DOUBLE);
      }
      case "F32" -> {
        float[] v = new float[n];
        buf.asFloatBuffer().get(v);
        array = Nd4j.create(v, e.shape(), DataType.FLOAT);
      }
      case "BF16" -> {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
          v[i] = Float.intBitsToFloat((buf.getShort(2 * i) & 0xffff) << 16);
        }
        array = Nd4j.create(v, e.shape(), DataType.FLOAT);
      }
      case "F16" -> {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
          v[i] = HalfFloat.toFloat(buf.getShort(2 * i));
        }
        array = Nd4j.create(v, e.shape(), DataType.FLOAT);
      }
      default -> throw new IllegalStateException(e.dtype());
    }
    return array.dataType() == type ? array : array.castTo(type);
  }

  /**
   * Writes {@code tensors} (F32 or F64, as they are) in the order given, with the JSON header padded with
   * spaces to a multiple of 8 bytes as the reference implementation does.
   */
  public static void write(Path file, Parameters tensors, Map<String, String> metadata) {
    ObjectNode header = JSON.createObjectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode m = header.putObject("__metadata__");
      new TreeMap<>(metadata).forEach(m::put);
    }
    long offset = 0;
    for (Map.Entry<String, INDArray> e : tensors.asMap().entrySet()) {
      INDArray t = e.getValue();
      String dtype = dtypeName(t.dataType(), e.getKey());
      ObjectNode entry = header.putObject(e.getKey());
      entry.put("dtype", dtype);
      var shape = entry.putArray("shape");
      for (long s : t.shape()) {
        shape.add(s);
      }
      long bytes = t.length() * elementSize(dtype);
      entry.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(header);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    head.flip();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      writeFully(ch, head);
      for (Map.Entry<String, INDArray> e : tensors.asMap().entrySet()) {
        writeTensor(ch, e.getValue());
      }
      ch.force(true);
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot write (" + e.getMessage() + ")", e);
    }
  }

  private static String dtypeName(DataType type, String name) {
    return switch (type) {
      case FLOAT -> "F32";
      case DOUBLE -> "F64";
      default -> throw new IllegalArgumentException("tensor " + name + ": cannot write type " + type);
    };
  }

  private static void writeTensor(FileChannel ch, INDArray t) throws IOException {
    INDArray c = t.ordering() == 'c' && !t.isView() ? t : t.dup('c');
    final int chunk = 1 << 20; // elements per write
    long n = c.length();
    if (c.dataType() == DataType.FLOAT) {
      float[] v = c.data().asFloat();
      ByteBuffer buf = ByteBuffer.allocate(chunk * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i += chunk) {
        int len = (int) Math.min(chunk, n - i);
        buf.clear();
        buf.asFloatBuffer().put(v, i, len);
        buf.limit(len * 4);
        writeFully(ch, buf);
      }
    } else {
      double[] v = c.data().asDouble();
      ByteBuffer buf = ByteBuffer.allocate(chunk * 8).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i += chunk) {
        int len = (int) Math.min(chunk, n - i);
        buf.clear();
        buf.asDoubleBuffer().put(v, i, len);
        buf.limit(len * 8);
        writeFully(ch, buf);
      }
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos);
      if (r < 0) {
        throw new IOException("unexpected end of file");
      }
      pos += r;
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  private static BadInputException bad(Path file, String message) {
    return new BadInputException(file + ": " + message);
  }

  /** Whether {@code file} exists and is a regular file. */
  static boolean exists(Path file) {
    return Files.isRegularFile(file);
  }
}
