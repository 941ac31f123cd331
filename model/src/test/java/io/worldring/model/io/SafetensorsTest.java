package io.worldring.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.BadInputException;
import io.worldring.model.Parameters;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class SafetensorsTest {

  /** A file laid out by hand from the format specification. */
  static byte[] file(String headerJson, byte[] data) {
    byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(h.length).put(h).put(data).array();
  }

  static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) {
      b.putFloat(x);
    }
    return b.array();
  }

  @Test
  void writesTheSpecifiedByteLayout(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("a.safetensors");
    Safetensors.write(f, new Parameters().put("w", Nd4j.create(new float[] {1, 2, 3, 4, 5, 6}, new long[] {2, 3}, 'c')), Map.of());
    byte[] bytes = Files.readAllBytes(f);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long n = b.getLong();
    assertEquals(0, n % 8, "header padded to 8 bytes");
    String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8).strip();
    assertEquals("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", header);
    assertEquals(8 + n + 24, bytes.length);
    assertEquals(1f, b.position((int) (8 + n)).getFloat());
    assertEquals(2f, b.getFloat(), "row-major little-endian data");
  }

  @Test
  void readsHalfAndBfloat16(@TempDir Path dir) throws IOException {
    // F16 1.0 = 0x3C00, -2.0 = 0xC000; BF16 1.5 = 0x3FC0, 0.5 = 0x3F00
    byte[] data = {0x00, 0x3C, 0x00, (byte) 0xC0, (byte) 0xC0, 0x3F, 0x00, 0x3F};
    Path f = dir.resolve("h.safetensors");
    Files.write(f, file("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}}", data));
    Parameters p = Safetensors.read(f, DataType.FLOAT);
    assertArrayEquals(new float[] {1f, -2f}, p.get("a").toFloatVector());
    assertArrayEquals(new float[] {1.5f, 0.5f}, p.get("b").toFloatVector());
  }

  @Test
  void halfFloatEdgeCases() {
    assertEquals(65504f, HalfFloat.toFloat((short) 0x7BFF));
    assertEquals(0x1p-24f, HalfFloat.toFloat((short) 0x0001));
    assertEquals(Float.NEGATIVE_INFINITY, HalfFloat.toFloat((short) 0xFC00));
    assertTrue(Float.isNaN(HalfFloat.toFloat((short) 0x7E00)));
  }

  static void assertRejected(Path dir, byte[] content, String expected) throws IOException {
    Path f = dir.resolve("bad.safetensors");
    Files.write(f, content);
    BadInputException e = assertThrows(BadInputException.class, () -> Safetensors.read(f, DataType.FLOAT));
    assertTrue(e.getMessage().startsWith(f.toString()), "names the file: " + e.getMessage());
    assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
  }

  @Test
  void malformedFilesAreRejectedWithTheirProblem(@TempDir Path dir) throws IOException {
    assertRejected(dir, new byte[3], "shorter than the 8-byte header length");
    assertRejected(dir, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).array(), "header length");
    assertRejected(dir, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(400).array(), "truncated");
    assertRejected(dir, file("{\"a\":", new byte[0]), "not valid JSON");
    assertRejected(dir, file("{\"a\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]), "unsupported dtype");
    assertRejected(dir, file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]), "needs 12");
    assertRejected(dir, file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]), "without holes or overlaps");
    assertRejected(dir, file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", floats(1f)), "truncated");
    assertRejected(dir, file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1f, 2f)), "trailing bytes");
    assertRejected(dir, file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", floats(1f, 2f)), "not valid JSON");
    assertRejected(dir, file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", floats(1f)), "invalid shape");
  }

  @Test
  void missingFileIsNamed(@TempDir Path dir) {
    Path f = dir.resolve("nope.safetensors");
    BadInputException e = assertThrows(BadInputException.class, () -> Safetensors.read(f, DataType.FLOAT));
    assertEquals(f + ": no such file", e.getMessage());
  }
}
