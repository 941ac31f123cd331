package io.worldring.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.datasets.Tokenizer;
import io.worldring.datasets.Tokenizers;
import io.worldring.datasets.vision.CodecTokenizer;
import io.worldring.datasets.vision.Frame;
import io.worldring.datasets.vision.FrameCodes;
import io.worldring.datasets.vision.VideoQaFormat;
import io.worldring.datasets.vision.VisionExample;
import io.worldring.datasets.vision.VisionInput;
import io.worldring.datasets.vision.VisionVocabulary;
import io.worldring.model.BadInputException;
import io.worldring.model.LlamaModel;
import io.worldring.model.ModelConfig;
import io.worldring.model.io.Checkpoint;
import io.worldring.ops.eval.ChoiceScorer;
import io.worldring.ops.vision.VisionAnswers;
import io.worldring.ops.vision.VisionModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ask", mixinStandardHelpOptions = true,
    description = {"Ask a vision checkpoint a question about a video (.mp4, .gif, a folder of frames) or an image (one frame), in "
        + "LWM's vision-chat format: <s>You are a helpful assistant. USER: QUESTION\\n<vision>..</vision> ASSISTANT:",
        "The answer is greedy, until EOS. --choices a,b,c instead scores each candidate by its log-likelihood (\" \" + answer + EOS) "
            + "and prints the best, then every score."})
final class AskCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "A vision checkpoint or run directory")
  Path checkpoint;

  @Option(names = "--tokenizer", required = true, paramLabel = "DIR", description = "The vision tokenizer the checkpoint was trained with")
  Path visionTokenizer;

  @Option(names = "--text-tokenizer", defaultValue = "bytes", paramLabel = "SPEC", description = "bytes or a tokenizer.json (default: ${DEFAULT-VALUE})")
  String textTokenizer;

  @Option(names = "--video", required = true, paramLabel = "FILE", description = "A video (.mp4, .gif, a folder of frames) or an image")
  Path video;

  @Option(names = "--question", required = true, description = "The question") String question;

  @Option(names = "--max-frames", defaultValue = "8", description = "Frames sampled uniformly from the video (default: ${DEFAULT-VALUE})")
  int maxFrames;

  @Option(names = "--max-new-tokens", defaultValue = "64", description = "Longest answer (default: ${DEFAULT-VALUE})")
  int maxNewTokens;

  @Option(names = "--choices", split = ",", paramLabel = "ANSWER", description = "Candidate answers, comma-separated: score them instead of generating")
  List<String> choices;

  @Option(names = "--json", description = "Print {\"answer\": ..., \"frames\": n, \"prompt_tokens\": n, ...}")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (maxFrames < 1 || maxNewTokens < 1) {
      throw new BadInputException("--max-frames and --max-new-tokens must be positive");
    }
    if (question.isBlank()) {
      throw new BadInputException("--question is empty");
    }
    if (choices != null && choices.stream().anyMatch(String::isBlank)) {
      throw new BadInputException("--choices: an empty candidate in " + choices);
    }
    if (!Files.exists(video)) {
      throw new BadInputException("--video: " + video + ": no such file");
    }
    CodecTokenizer vision = CodecTokenizer.load(visionTokenizer);
    Tokenizer text = Tokenizers.load(textTokenizer);
    Path dir = Checkpoint.resolve(checkpoint);
    ModelConfig config = Checkpoint.readManifest(dir).config();
    VisionVocabulary vocab = VisionModels.requireMatch(config, dir, vision, visionTokenizer.toString());
    VisionModels.requireText(config, dir, text);

    long started = System.nanoTime();
    List<Frame> frames = VisionInput.frames(video, maxFrames, vision.frameSize());
    VisionExample prompt = new VideoQaFormat(text, vocab).prompt(FrameCodes.encode(vision, frames), question);
    Checkpoint.Loaded ck = Checkpoint.load(dir, DataType.FLOAT);
    LlamaModel model = new LlamaModel(ck.config(), ck.weights());
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode n = mapper.createObjectNode();
    String answer;
    ChoiceScorer.Result scored = null;
    if (choices != null) {
      scored = new ChoiceScorer(model, text).score(prompt, choices.stream().map(String::strip).toList());
      answer = scored.winner().choice();
      ArrayNode a = n.putArray("choices");
      for (ChoiceScorer.Score s : scored.scores()) {
        a.addObject().put("choice", s.choice()).put("log_likelihood", s.logLikelihood()).put("tokens", s.tokens());
      }
    } else {
      VisionAnswers.Answer a = VisionAnswers.greedy(model, text, prompt, maxNewTokens);
      answer = a.text();
      n.put("generated_tokens", a.tokens().length);
      n.put("ended_with_eos", a.endedWithEos());
    }
    n.put("answer", answer);
    n.put("frames", frames.size());
    n.put("prompt_tokens", prompt.length());
    n.put("vision_tokens", prompt.visionTokens());
    n.put("seconds", Math.round((System.nanoTime() - started) / 1e6) / 1e3);
    if (json) {
      System.out.println(mapper.writeValueAsString(n));
      return 0;
    }
    System.out.println(answer);
    if (scored != null) {
      int width = scored.scores().stream().mapToInt(s -> s.choice().length()).max().orElse(0);
      for (ChoiceScorer.Score s : scored.scores()) {
        System.out.printf(Locale.ROOT, "  %s %-" + width + "s  log-likelihood %.4f (%d tokens)%n", s == scored.winner() ? "*" : " ", s.choice(),
            s.logLikelihood(), s.tokens());
      }
    }
    System.err.printf(Locale.ROOT, "(%d frame%s, %d prompt tokens, %.2f s)%n", frames.size(), frames.size() == 1 ? "" : "s", prompt.length(),
        (System.nanoTime() - started) / 1e9);
    return 0;
  }
}
