package io.worldring.model.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.BadInputException;
import io.worldring.model.Parameters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class FrameCodecsTest {
  @Test
  void aVqganDirectoryOpensAsAFrameCodec(@TempDir Path dir) {
    VqganConfig tiny = VqganConfig.tiny();
    Parameters w = VqganLayout.random(tiny, 2);
    VqganWeights.write(dir.resolve(FrameCodecs.VQGAN_WEIGHTS), tiny, w);
    FrameCodecs.writeVqganManifest(dir, "tiny");
    FrameCodec codec = FrameCodecs.load(dir);
    assertTrue(codec instanceof Vqgan);
    assertEquals(64, codec.codesPerFrame());
    INDArray frame = SyntheticFrames.generate(1, 1, 32).slice(0);
    assertArrayEquals(new Vqgan(tiny, w).encode(frame), codec.encode(frame));
  }

  @Test
  void unknownTypesAndPresetsAreNamed(@TempDir Path dir) throws IOException {
    Path json = dir.resolve("tokenizer.json");
    Files.writeString(json, "{\"format\": \"worldring-frame-codec/1\", \"type\": \"vqvae\"}");
    BadInputException e = assertThrows(BadInputException.class, () -> FrameCodecs.load(dir));
    assertTrue(e.getMessage().startsWith(json + ": unknown type 'vqvae'"), e.getMessage());
    Files.writeString(json, "{\"format\": \"worldring-frame-codec/1\", \"type\": \"vqgan\", \"preset\": \"f8\"}");
    e = assertThrows(BadInputException.class, () -> FrameCodecs.load(dir));
    assertTrue(e.getMessage().startsWith(json + ": unknown VQGAN preset 'f8'"), e.getMessage());
    Files.writeString(json, "{\"format\": \"worldring-frame-codec/1\", \"type\": \"vqgan\", \"preset\": \"tiny\"}");
    e = assertThrows(BadInputException.class, () -> FrameCodecs.load(dir));
    assertTrue(e.getMessage().startsWith(dir.resolve("vqgan.safetensors") + ": no such file"), e.getMessage());
  }
}
