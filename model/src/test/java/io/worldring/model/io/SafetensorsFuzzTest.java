package io.worldring.model.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.BadInputException;
import io.worldring.model.Parameters;
import io.worldring.model.fuzz.CleanFailure;
import io.worldring.model.fuzz.FuzzCorpus;
import io.worldring.model.fuzz.FuzzSeed;
import io.worldring.model.fuzz.Mutations.Mutant;
import io.worldring.model.fuzz.Mutations;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Safetensors files and headers mutated from a valid one: read, or refused naming the file (and the header position). */
class SafetensorsFuzzTest {
  private static Path dir;
  private static byte[] valid;
  private static String validHeader;

  @BeforeContainer
  static void seed() throws IOException {
    dir = Files.createTempDirectory("safetensors-fuzz");
    Parameters p = new Parameters()
        .put("model.embed_tokens.weight", Nd4j.create(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, new long[] {3, 4}, DataType.FLOAT))
        .put("model.norm.weight", Nd4j.create(new double[] {-1, 0.5, 0.25, 1}, new long[] {4}, DataType.DOUBLE))
        .put("scalar", Nd4j.scalar(DataType.FLOAT, 2f));
    Path f = dir.resolve("seed.safetensors");
    Safetensors.write(f, p, Map.of("format", "pt"));
    valid = Files.readAllBytes(f);
    long headerLength = ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong();
    validHeader = new String(valid, 8, (int) headerLength, StandardCharsets.UTF_8).strip();
  }

  @AfterContainer
  static void clean() throws IOException {
    Checkpoint.deleteRecursively(dir);
  }

  /** A file with {@code header} as its JSON (length prefix to match) followed by the valid file's data. */
  static byte[] withHeader(byte[] header) {
    int oldLength = (int) ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong();
    byte[] data = Arrays.copyOfRange(valid, 8 + oldLength, valid.length);
    return ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(header.length).put(header).put(data).array();
  }

  static BadInputException read(Path file, long inputBytes) {
    return CleanFailure.check(BadInputException.class, file.toString(), (32L << 20) + 64 * inputBytes,
        () -> Safetensors.read(file, DataType.FLOAT));
  }

  @Property(tries = 500, seed = FuzzSeed.VALUE)
  void mutatedFilesAreReadOrRefusedNamingTheFile(@ForAll("files") Mutant m) throws IOException {
    Path f = Files.write(dir.resolve("fuzzed.safetensors"), m.bytes());
    if (read(f, m.bytes().length) != null) {
      FuzzCorpus.keep("safetensors", "bytes-" + Integer.toHexString(Arrays.hashCode(m.bytes())) + ".safetensors", m);
    }
  }

  @Provide
  Arbitrary<Mutant> files() {
    return Mutations.bytes(valid, 8 + validHeader.length());
  }

  @Property(tries = 500, seed = FuzzSeed.VALUE)
  void mutatedHeadersAreReadOrRefusedNamingTheFileAndPosition(@ForAll("headers") Mutant header) throws IOException {
    byte[] bytes = withHeader(header.bytes());
    Path f = Files.write(dir.resolve("header.safetensors"), bytes);
    BadInputException e = read(f, bytes.length);
    if (e != null && e.getMessage().contains("not valid")) {
      assertTrue(e.getMessage().matches("(?s).*header.*(line \\d+, column \\d+|at byte \\d+).*"), "names the position: " + e.getMessage());
    }
    if (e != null) {
      FuzzCorpus.keep("safetensors", "header-" + Integer.toHexString(Arrays.hashCode(bytes)) + ".safetensors", new Mutant(bytes, header.how()));
    }
  }

  @Provide
  Arbitrary<Mutant> headers() {
    return Mutations.json(validHeader, "\"F16\"", "\"BF16\"", "\"I64\"", "[0, 4]", "[4, 0]", "[-4]", "[3, 4, 0]",
        "[3000000000, 3000000000, 3000000000]", "[0, 9223372036854775807]", "[2147483648]",
        "[1099511627776, 1099511627776]", "[0, 18446744073709551664]", "[1.5, 2]");
  }
}
