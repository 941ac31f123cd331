package io.worldring.model.vision;

import io.worldring.model.BadInputException;
import io.worldring.model.Parameters;
import io.worldring.model.io.Safetensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * VQGAN weights in safetensors files, in either of two namings (see {@link VqganLayout}):
 * <ul>
 *   <li>taming-transformers' {@code state_dict} names and OIHW kernels ({@code encoder.conv_in.weight},
 *       {@code quantize.embedding.weight}); this is also what {@link #write} produces;</li>
 *   <li>LWM's Flax parameters flattened with dots and HWIO kernels ({@code encoder.Conv_0.kernel},
 *       {@code quantize.embeddings}), recognised by {@code quantize.embeddings}, transposed on reading.</li>
 * </ul>
 * Every expected tensor must be there with its shape, and no unexpected one may sit under the model's
 * own prefixes (an extra AttnBlock means the file is for another config); tensors under other prefixes
 * (taming's {@code loss.*} discriminator) are ignored. Errors name the file and the tensor.
 */
public final class VqganWeights {
  private static final List<String> MODEL_PREFIXES = List.of("encoder.", "decoder.", "quantize.", "quant_conv.", "post_quant_conv.");

  private VqganWeights() {}

  /** Reads and checks {@code file}; returns float weights under taming's names. */
  public static Parameters read(Path file, VqganConfig config) {
    Safetensors.Header header = Safetensors.readHeader(file);
    Map<String, Safetensors.Entry> entries = header.entries();
    boolean flax = entries.containsKey("quantize.embeddings");
    if (!flax && !entries.containsKey("quantize.embedding.weight")) {
      throw new BadInputException(file + ": has neither quantize.embedding.weight (taming naming) nor quantize.embeddings"
          + " (LWM's Flax naming); is it a VQGAN checkpoint? (package io.worldring.model.vision says how to convert one)");
    }
    String naming = flax ? "LWM Flax naming" : "taming naming";
    List<VqganLayout.Tensor> expected = VqganLayout.tensors(config);
    Set<String> expectedNames = new HashSet<>();
    List<String> missing = new ArrayList<>();
    for (VqganLayout.Tensor t : expected) {
      String name = flax ? t.flaxName() : t.name();
      long[] shape = flax ? t.flaxShape() : t.shape();
      expectedNames.add(name);
      Safetensors.Entry e = entries.get(name);
      if (e == null) {
        missing.add(name);
      } else if (!Arrays.equals(e.shape(), shape)) {
        throw new BadInputException(file + ": tensor " + name + " has shape " + Arrays.toString(e.shape()) + ", but " + config
            + " needs " + Arrays.toString(shape) + " (" + naming + ")");
      }
    }
    if (!missing.isEmpty()) {
      throw new BadInputException(file + ": missing tensor " + missing.get(0) + (missing.size() > 1 ? " and " + (missing.size() - 1) + " more" : "")
          + " that " + config + " needs (" + naming + ")");
    }
    for (String name : entries.keySet()) {
      if (!expectedNames.contains(name) && MODEL_PREFIXES.stream().anyMatch(name::startsWith)) {
        throw new BadInputException(file + ": unexpected tensor " + name + ", which " + config + " does not have (" + naming
            + "); the file is for another VQGAN config");
      }
    }
    Parameters raw = Safetensors.read(file, DataType.FLOAT);
    Parameters out = new Parameters();
    for (VqganLayout.Tensor t : expected) {
      if (flax) {
        INDArray value = raw.get(t.flaxName()); // Flax shape: kernels [kh, kw, in, out]
        out.put(t.name(), t.isKernel() ? value.permute(3, 2, 0, 1).dup('c') : value); // HWIO -> OIHW
      } else {
        out.put(t.name(), raw.get(t.name()));
      }
    }
    return out;
  }

  /** Writes {@code weights} under taming's names, the order of {@link VqganLayout#tensors}. */
  public static void write(Path file, VqganConfig config, Parameters weights) {
    requireLayout(config, weights, file.toString());
    Parameters ordered = new Parameters();
    for (VqganLayout.Tensor t : VqganLayout.tensors(config)) {
      ordered.put(t.name(), weights.get(t.name()));
    }
    Safetensors.write(file, ordered, Map.of("format", "pt", "producer", "worldring"));
  }

  /** Checks that {@code weights} has exactly the names and shapes {@code config} needs. */
  static void requireLayout(VqganConfig config, Parameters weights, String what) {
    Parameters expected = new Parameters();
    for (VqganLayout.Tensor t : VqganLayout.tensors(config)) {
      if (!weights.contains(t.name())) {
        throw new BadInputException(what + ": missing tensor " + t.name() + " that " + config + " needs");
      }
      if (!Arrays.equals(weights.get(t.name()).shape(), t.shape())) {
        throw new BadInputException(what + ": tensor " + t.name() + " has shape " + Arrays.toString(weights.get(t.name()).shape())
            + ", but " + config + " needs " + Arrays.toString(t.shape()));
      }
      expected.put(t.name(), weights.get(t.name()));
    }
    if (expected.size() != weights.size()) {
      Set<String> extra = new HashSet<>(weights.names());
      extra.removeAll(expected.names());
      throw new BadInputException(what + ": unexpected tensors " + extra + " for " + config);
    }
  }
}
