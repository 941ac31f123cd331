package io.worldring.model.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad pretrained-weight inputs give a clear error naming the file. */
class ImportErrorsTest {

  static void assertMessage(Runnable r, String... parts) {
    BadInputException e = assertThrows(BadInputException.class, r::run);
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
    }
  }

  @Test
  void llama2cFileWhoseSizeDoesNotMatchItsHeader(@TempDir Path dir) throws Exception {
    byte[] full = Files.readAllBytes(Stories260kTest.resource("stories260K.bin"));
    Path cut = dir.resolve("cut.bin");
    Files.write(cut, Arrays.copyOf(full, full.length - 4));
    assertMessage(() -> Llama2cImporter.read(cut), cut.toString(), "does not match its header", "truncated");
    Path longer = dir.resolve("long.bin");
    Files.write(longer, Arrays.copyOf(full, full.length + 8));
    assertMessage(() -> Llama2cImporter.read(longer), longer.toString(), "does not match its header");
  }

  @Test
  void llama2cImplausibleHeaderAndMissingFile(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("junk.bin");
    ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(64).putInt(172).putInt(5).putInt(7).putInt(4).putInt(512).putInt(512);
    Files.write(f, b.array());
    assertMessage(() -> Llama2cImporter.read(f), f.toString(), "implausible llama2.c header", "n_heads=7");
    Path none = dir.resolve("none.bin");
    assertMessage(() -> Llama2cImporter.read(none), none + ": no such file");
    Path tiny = dir.resolve("tiny.bin");
    Files.write(tiny, new byte[10]);
    assertMessage(() -> Llama2cImporter.read(tiny), tiny.toString(), "too short");
  }

  @Test
  void huggingFaceConfigWithUnknownArchitecture(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"GPT2LMHeadModel\"], \"model_type\": \"gpt2\"}");
    assertMessage(() -> HfImporter.read(dir), dir.resolve("config.json").toString(), "unknown architecture 'GPT2LMHeadModel'");
  }

  @Test
  void huggingFaceDirectoryProblems(@TempDir Path dir) throws IOException {
    assertMessage(() -> HfImporter.read(dir.resolve("absent")), "not a directory");
    assertMessage(() -> HfImporter.read(dir), dir.resolve("config.json") + ": no such file");
    Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\"],\n \"hidden_size\": ");
    assertMessage(() -> HfImporter.read(dir), "config.json", "not valid JSON at line 2");
    Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 64,"
        + "\"num_hidden_layers\": 1, \"num_attention_heads\": 4, \"intermediate_size\": 96, \"vocab_size\": 10,"
        + "\"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}}");
    assertMessage(() -> HfImporter.read(dir), "rope_scaling is not supported");
    Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 64,"
        + "\"num_hidden_layers\": 1, \"num_attention_heads\": 4, \"intermediate_size\": 96, \"vocab_size\": 10}");
    assertMessage(() -> HfImporter.read(dir), "no model.safetensors");
  }
}
