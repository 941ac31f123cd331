package io.worldring.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.datasets.ByteTokenizer;
import io.worldring.datasets.Tokenizer;
import io.worldring.datasets.Tokenizers;
import io.worldring.datasets.vision.CaptionFormat;
import io.worldring.datasets.vision.CodecTokenizer;
import io.worldring.datasets.vision.Frame;
import io.worldring.datasets.vision.VisionExample;
import io.worldring.datasets.vision.VisionVocabulary;
import io.worldring.model.BadInputException;
import io.worldring.model.LlamaModel;
import io.worldring.model.ModelConfig;
import io.worldring.model.generate.Generator;
import io.worldring.model.generate.SamplingOptions;
import io.worldring.model.io.Checkpoint;
import io.worldring.ops.vision.FrameGeneration;
import io.worldring.ops.vision.FrameGrid;
import io.worldring.ops.vision.VisionModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
    description = {"Generate tokens with a KV cache: greedy (--temperature 0), or temperature and top-p sampling.",
        "--prompt TEXT uses the byte-level tokenizer; --tokens takes ids for any vocabulary.",
        "With --image-out FILE.png (a vision checkpoint and its --tokenizer): text to image, as LWM. The prompt is <s> TEXT <vision>; "
            + "each frame's codes are sampled from the vision head and its end forced to <eof> (<eov> after the last); --cfg-scale S adds "
            + "classifier-free guidance against <s><vision>. --frames N > 1 writes the frames as one grid, left to right and top to "
            + "bottom, ceil(sqrt(N)) frames per row."})
final class GenerateCommand implements Callable<Integer> {
  static final class Input {
    @Option(names = "--tokens", description = "Prompt token ids, e.g. \"1 100 200 300\"") String tokens;

    @Option(names = "--prompt", description = "Prompt text (byte-level tokenizer)") String prompt;
  }

  @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "Checkpoint or run directory (its latest checkpoint)")
  Path checkpoint;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  @Option(names = "--max-new-tokens", defaultValue = "64", description = "Tokens to generate (default: ${DEFAULT-VALUE}; text only)")
  int maxNewTokens;

  @Option(names = "--temperature", description = "0 = greedy (default: 0 for text, 1 with --image-out)")
  Double temperature;

  @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling mass (default: ${DEFAULT-VALUE})")
  double topP;

  @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--stop", paramLabel = "ID", description = "Stop after generating this token id (repeatable)")
  int[] stop = new int[0];

  @Option(names = "--json", description = "Print {\"prompt\": [...], \"generated\": [...], \"text\": ...} (with --image-out: the vision ids and codes)")
  boolean json;

  @Option(names = "--image-out", paramLabel = "FILE", description = "Generate an image (a PNG) from --prompt with a vision checkpoint")
  Path imageOut;

  @Option(names = "--tokenizer", paramLabel = "DIR", description = "With --image-out: the vision tokenizer the checkpoint was trained with")
  Path visionTokenizer;

  @Option(names = "--text-tokenizer", paramLabel = "SPEC", description = "With --image-out: bytes (default) or a tokenizer.json")
  String textTokenizer;

  @Option(names = "--frames", description = "With --image-out: frames to generate (default: 1)")
  Integer frames;

  @Option(names = "--cfg-scale", paramLabel = "S", description = "With --image-out: classifier-free guidance scale (default: no guidance; 1 runs the unconditional stream and equals no guidance)")
  Double cfgScale;

  @Option(names = "--top-k", paramLabel = "K", description = "With --image-out: sample among the K most likely codes (default: 0 = all)")
  Integer topK;

  @Override
  public Integer call() throws Exception {
    if (imageOut != null) {
      return generateImage();
    }
    for (Object imageOnly : new Object[] {visionTokenizer, textTokenizer, frames, cfgScale, topK}) {
      if (imageOnly != null) {
        throw new BadInputException("--tokenizer, --text-tokenizer, --frames, --cfg-scale and --top-k need --image-out");
      }
    }
    double temperature = this.temperature == null ? 0 : this.temperature;
    if (maxNewTokens < 1) {
      throw new BadInputException("--max-new-tokens must be positive");
    }
    if (temperature < 0 || !(topP > 0 && topP <= 1)) {
      throw new BadInputException("--temperature must be >= 0 and --top-p in (0, 1]");
    }
    Checkpoint.Loaded ck = Checkpoint.load(Checkpoint.resolve(checkpoint), DataType.FLOAT);
    ByteTokenizer bytes = new ByteTokenizer();
    int[] prompt = input.tokens != null ? TokenList.parse(input.tokens, ck.config().vocabSize(), "--tokens") : bytes.encode(input.prompt);
    if (prompt.length == 0) {
      throw new BadInputException("--prompt is empty");
    }
    LlamaModel model = new LlamaModel(ck.config(), ck.weights());
    int[] stops = stop;
    int[] out = new Generator(model, prompt.length + maxNewTokens).generate(prompt, maxNewTokens,
        new SamplingOptions(temperature, topP, seed), t -> Arrays.stream(stops).anyMatch(s -> s == t));
    boolean textual = input.prompt != null;
    if (json) {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode n = mapper.createObjectNode();
      Arrays.stream(prompt).forEach(n.putArray("prompt")::add);
      Arrays.stream(out).forEach(n.putArray("generated")::add);
      if (textual) {
        n.put("text", bytes.decode(out));
      }
      System.out.println(mapper.writeValueAsString(n));
    } else if (textual) {
      System.out.println(input.prompt + bytes.decode(out));
    } else {
      System.out.println(Arrays.stream(out).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
    }
    return 0;
  }

  /** --image-out: text to frames through the vision head, decoded by the vision tokenizer. */
  private int generateImage() throws Exception {
    if (input.prompt == null) {
      throw new BadInputException("--image-out takes --prompt TEXT (the caption), not --tokens");
    }
    if (visionTokenizer == null) {
      throw new BadInputException("--image-out needs --tokenizer DIR, the vision tokenizer the checkpoint was trained with");
    }
    if (stop.length > 0) {
      throw new BadInputException("--stop does not apply to --image-out (frames end where the tokenizer says)");
    }
    int frameCount = frames == null ? 1 : frames;
    double temp = temperature == null ? 1.0 : temperature;
    int k = topK == null ? 0 : topK;
    if (frameCount < 1) {
      throw new BadInputException("--frames must be positive, got " + frameCount);
    }
    if (temp < 0 || !(topP > 0 && topP <= 1) || k < 0) {
      throw new BadInputException("--temperature must be >= 0, --top-p in (0, 1] and --top-k >= 0");
    }
    if (cfgScale != null && !Double.isFinite(cfgScale)) {
      throw new BadInputException("--cfg-scale must be a number, got " + cfgScale);
    }
    CodecTokenizer vision = CodecTokenizer.load(visionTokenizer);
    Tokenizer text = Tokenizers.load(textTokenizer == null ? "bytes" : textTokenizer);
    Path dir = Checkpoint.resolve(checkpoint);
    ModelConfig config = Checkpoint.readManifest(dir).config();
    VisionVocabulary vocab = VisionModels.requireMatch(config, dir, vision, visionTokenizer.toString());
    VisionModels.requireText(config, dir, text);
    Checkpoint.Loaded ck = Checkpoint.load(dir, DataType.FLOAT);
    LlamaModel model = new LlamaModel(ck.config(), ck.weights());
    CaptionFormat format = new CaptionFormat(text, vocab);
    VisionExample prompt = format.generationPrompt(input.prompt);
    FrameGeneration.Settings settings = new FrameGeneration.Settings(frameCount, cfgScale != null, cfgScale == null ? 1 : cfgScale,
        new SamplingOptions(temp, topP, seed), k);
    FrameGeneration.Result r = new FrameGeneration(model, vocab, vision.codesPerFrame()).generate(prompt, format.unconditionalPrompt(),
        settings);
    List<Frame> decoded = new ArrayList<>(frameCount);
    for (int[] codes : r.codes()) {
      decoded.add(vision.decode(codes));
    }
    FrameGrid.writePng(decoded, imageOut);
    int width = FrameGrid.columns(frameCount) * vision.frameSize();
    int height = FrameGrid.rows(frameCount) * vision.frameSize();
    if (json) {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode n = mapper.createObjectNode();
      n.put("image", imageOut.toString());
      n.put("width", width);
      n.put("height", height);
      n.put("frames", frameCount);
      n.put("frame_size", vision.frameSize());
      n.put("codes_per_frame", vision.codesPerFrame());
      n.put("eof", vocab.eof());
      n.put("eov", vocab.eov());
      if (cfgScale == null) {
        n.putNull("cfg_scale");
      } else {
        n.put("cfg_scale", cfgScale);
      }
      Arrays.stream(prompt.tokens()).forEach(n.putArray("prompt")::add);
      Arrays.stream(r.tokens()).forEach(n.putArray("generated")::add);
      ArrayNode codes = n.putArray("codes");
      for (int[] frame : r.codes()) {
        Arrays.stream(frame).forEach(codes.addArray()::add);
      }
      n.put("seconds", Math.round(r.nanos() / 1e6) / 1e3);
      n.put("tokens_per_second", Math.round(r.tokensPerSecond() * 10) / 10.0);
      System.out.println(mapper.writeValueAsString(n));
    } else {
      System.out.printf(Locale.ROOT, "%dx%d image (%d frame%s, %d vision tokens%s) written to %s in %.2f s (%.1f tokens/s)%n", width, height,
          frameCount, frameCount == 1 ? "" : "s", r.tokens().length, cfgScale == null ? "" : ", guidance " + cfgScale, imageOut,
          r.nanos() / 1e9, r.tokensPerSecond());
    }
    return 0;
  }
}
