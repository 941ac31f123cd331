package io.worldring.model.vision;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.BadInputException;
import java.nio.file.Path;
import java.util.Set;

/**
 * Opens a tokenizer directory, whichever kind it holds, as its {@code tokenizer.json} says:
 * <ul>
 *   <li>{@code "type": "patch-kmeans"}: a {@link PatchCodebook} (written by {@link PatchCodebook#save});</li>
 *   <li>{@code "type": "vqgan", "preset": NAME}: a {@link Vqgan} with {@link VqganConfig#preset(String)}'s
 *       config, weights in {@value #VQGAN_WEIGHTS} beside it (see {@link #writeVqganManifest}).</li>
 * </ul>
 */
public final class FrameCodecs {
  public static final String VQGAN_WEIGHTS = "vqgan.safetensors";

  private FrameCodecs() {}

  public static FrameCodec load(Path dir) {
    CodecManifest m = CodecManifest.read(dir);
    return switch (m.type()) {
      case PatchCodebook.TYPE -> PatchCodebook.load(dir);
      case "vqgan" -> {
        m.requireKeys(m.root(), "", Set.of("format", "type", "preset"));
        VqganConfig config;
        try {
          config = VqganConfig.preset(m.text(m.root(), "preset"));
        } catch (IllegalArgumentException e) {
          throw new BadInputException(m.file() + ": " + e.getMessage(), e);
        }
        yield Vqgan.load(dir.resolve(VQGAN_WEIGHTS), config);
      }
      default -> throw new BadInputException(m.file() + ": unknown type '" + m.type() + "' (known: " + PatchCodebook.TYPE + ", vqgan)");
    };
  }

  /** Writes the {@code tokenizer.json} that makes {@code dir} (holding {@value #VQGAN_WEIGHTS}) a VQGAN tokenizer. */
  public static void writeVqganManifest(Path dir, String preset) {
    VqganConfig.preset(preset); // rejects an unknown name now rather than at loading
    ObjectNode root = CodecManifest.create("vqgan");
    root.put("preset", preset);
    CodecManifest.write(dir, root);
  }
}
