package io.worldring.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.datasets.vision.CodecTokenizer;
import io.worldring.datasets.vision.Frame;
import io.worldring.datasets.vision.SampleMedia;
import io.worldring.datasets.vision.TokenizerTrainingFrames;
import io.worldring.datasets.vision.VisionInput;
import io.worldring.model.BadInputException;
import io.worldring.model.vision.PatchCodebook;
import io.worldring.model.vision.PatchCodebookConfig;
import io.worldring.model.vision.Psnr;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "vision", mixinStandardHelpOptions = true,
    description = "Vision tokens: train this project's patch tokenizer, and turn images into codes and back.",
    subcommands = {VisionCommand.TrainTokenizer.class, VisionCommand.Encode.class, VisionCommand.Decode.class})
final class VisionCommand implements Callable<Integer> {
  static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public Integer call() {
    throw new BadInputException("vision needs a command: train-tokenizer, encode or decode (see worldring vision --help)");
  }

  static void writeJson(Path file, JsonNode n) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = parent.resolve(file.getFileName() + ".partial");
      Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot write (" + e.getMessage() + ")", e);
    }
  }

  @Command(name = "train-tokenizer", mixinStandardHelpOptions = true,
      description = {"Train the patch tokenizer (k-means over image patches: a frame becomes a grid of codes) on a folder of",
          "images, or on the bundled photos. Prints JSON with the training PSNR."})
  static final class TrainTokenizer implements Callable<Integer> {
    @Option(names = "--images", defaultValue = "bundled", description = "A folder of images (PNG, JPEG, GIF, BMP), or 'bundled' (default)")
    String images;

    @Option(names = "--out", required = true, description = "Directory for the tokenizer (tokenizer.json, codebook.safetensors)")
    Path out;

    @Option(names = "--preset", defaultValue = "tiny", description = "tiny (32x32 frames, 16 codes, 256 centroids) or small (64x64, 64, 1024)")
    String preset;

    @Option(names = "--frame-size", description = "Frame side in pixels (overrides the preset)") Integer frameSize;

    @Option(names = "--codes-per-frame", description = "Codes per frame, a square g*g with g dividing the frame size") Integer codesPerFrame;

    @Option(names = "--codebook-size", description = "Centroids (codes)") Integer codebookSize;

    @Option(names = "--iterations", description = "Most k-means iterations") Integer iterations;

    @Option(names = "--crops-per-image", defaultValue = "64", description = "Frames cut from each image (default: ${DEFAULT-VALUE})")
    int cropsPerImage;

    @Option(names = "--random-seed", defaultValue = "1", description = "Seeds the crops and k-means (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
      if (Files.exists(out.resolve("tokenizer.json"))) {
        throw new BadInputException(out + ": already holds a tokenizer (tokenizer.json); choose another --out");
      }
      PatchCodebookConfig base = switch (preset.toLowerCase(Locale.ROOT)) {
        case "tiny" -> PatchCodebookConfig.tiny();
        case "small" -> PatchCodebookConfig.small();
        default -> throw new BadInputException("--preset: unknown tokenizer preset '" + preset + "' (known: tiny, small)");
      };
      PatchCodebookConfig config;
      try {
        config = new PatchCodebookConfig(frameSize != null ? frameSize : base.frameSize(),
            codesPerFrame != null ? codesPerFrame : base.codesPerFrame(), codebookSize != null ? codebookSize : base.codebookSize(),
            iterations != null ? iterations : base.iterations(), seed, base.maxTrainingPatches());
      } catch (IllegalArgumentException e) {
        throw new BadInputException("tokenizer settings: " + e.getMessage(), e);
      }
      long started = System.nanoTime();
      List<Path> files = imageFiles();
      List<Frame> frames = TokenizerTrainingFrames.from(files, config.frameSize(), cropsPerImage, seed);
      List<INDArray> arrays = new ArrayList<>(frames.size());
      frames.forEach(f -> arrays.add(CodecTokenizer.toArray(f)));
      PatchCodebook codebook = PatchCodebook.train(config, arrays);
      arrays.forEach(INDArray::close);
      codebook.save(out);
      ObjectNode n = JSON.createObjectNode();
      n.put("tokenizer", out.toString());
      n.put("images", files.size());
      n.put("frames", frames.size());
      n.put("patches", codebook.training().patches());
      n.put("iterations", codebook.training().iterations());
      n.put("frame_size", config.frameSize());
      n.put("codes_per_frame", config.codesPerFrame());
      n.put("codebook_size", config.codebookSize());
      n.put("training_psnr_db", Math.round(codebook.training().psnr() * 100) / 100.0);
      n.put("seconds", Math.round((System.nanoTime() - started) / 1e7) / 100.0);
      System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n));
      return 0;
    }

    private List<Path> imageFiles() throws IOException {
      if (images.equals("bundled")) {
        return SampleMedia.extractImages(Files.createTempDirectory("worldring-images"));
      }
      Path dir = Path.of(images);
      if (!Files.isDirectory(dir)) {
        throw new BadInputException("--images: " + dir + " is not a directory");
      }
      try (Stream<Path> s = Files.list(dir)) {
        List<Path> files = s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g|gif|bmp)")).sorted()
            .toList();
        if (files.isEmpty()) {
          throw new BadInputException("--images: " + dir + " holds no .png, .jpg, .gif or .bmp files");
        }
        return files;
      }
    }
  }

  @Command(name = "encode", mixinStandardHelpOptions = true,
      description = {"An image (any size: short side resized, centre crop, as for training) to codes, written as JSON; prints the",
          "reconstruction PSNR of the codes against the frame."})
  static final class Encode implements Callable<Integer> {
    @Option(names = "--tokenizer", required = true, description = "A tokenizer directory") Path tokenizer;

    @Option(names = "--image", required = true, description = "The image") Path image;

    @Option(names = "--out", required = true, description = "codes.json") Path out;

    @Override
    public Integer call() throws Exception {
      CodecTokenizer tok = CodecTokenizer.load(tokenizer);
      Frame frame = VisionInput.image(image, tok.frameSize());
      int[] codes = tok.encode(frame);
      Frame back = tok.decode(codes);
      double psnr;
      try (INDArray a = CodecTokenizer.toArray(frame); INDArray b = CodecTokenizer.toArray(back)) {
        psnr = Psnr.of(a, b);
      }
      ObjectNode n = JSON.createObjectNode();
      n.put("image", image.toString());
      n.put("tokenizer", tokenizer.toString());
      n.put("frame_size", tok.frameSize());
      n.put("codes_per_frame", tok.codesPerFrame());
      n.put("codebook_size", tok.codebookSize());
      n.put("psnr_db", Math.round(psnr * 100) / 100.0);
      ArrayNode c = n.putArray("codes");
      for (int x : codes) {
        c.add(x);
      }
      writeJson(out, n);
      System.out.printf(Locale.ROOT, "%d codes of %d written to %s; reconstruction PSNR %.2f dB%n", codes.length, tok.codebookSize(), out,
          psnr);
      return 0;
    }
  }

  @Command(name = "decode", mixinStandardHelpOptions = true, description = "Codes (the JSON `vision encode` writes) back to a PNG image.")
  static final class Decode implements Callable<Integer> {
    @Option(names = "--tokenizer", required = true, description = "A tokenizer directory") Path tokenizer;

    @Option(names = "--codes", required = true, description = "codes.json") Path codesFile;

    @Option(names = "--out", required = true, description = "image.png") Path out;

    @Override
    public Integer call() throws Exception {
      CodecTokenizer tok = CodecTokenizer.load(tokenizer);
      int[] codes = readCodes(codesFile, tok);
      tok.decode(codes).writePng(out);
      System.out.printf(Locale.ROOT, "%dx%d image written to %s%n", tok.frameSize(), tok.frameSize(), out);
      return 0;
    }

    static int[] readCodes(Path file, CodecTokenizer tok) {
      JsonNode n;
      try {
        n = JSON.readTree(file.toFile());
      } catch (IOException e) {
        throw new BadInputException(file + ": not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
      }
      JsonNode c = n == null ? null : n.get("codes");
      if (c == null || !c.isArray()) {
        throw new BadInputException(file + ": no \"codes\" array");
      }
      if (c.size() != tok.codesPerFrame()) {
        throw new BadInputException(file + ": \"codes\" holds " + c.size() + " codes; this tokenizer's frames have " + tok.codesPerFrame());
      }
      int[] codes = new int[c.size()];
      for (int i = 0; i < codes.length; i++) {
        JsonNode x = c.get(i);
        if (!x.canConvertToInt() || !x.isIntegralNumber() || x.asInt() < 0 || x.asInt() >= tok.codebookSize()) {
          throw new BadInputException(file + ": \"codes\"[" + i + "] = " + x + " is not a code in [0, " + tok.codebookSize() + ")");
        }
        codes[i] = x.asInt();
      }
      return codes;
    }
  }
}
