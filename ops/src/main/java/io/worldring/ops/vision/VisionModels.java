package io.worldring.ops.vision;

import io.worldring.datasets.Tokenizer;
import io.worldring.datasets.vision.VisionTokenizer;
import io.worldring.datasets.vision.VisionVocabulary;
import io.worldring.model.BadInputException;
import io.worldring.model.ModelConfig;
import java.nio.file.Path;

/** Whether a checkpoint, a vision tokenizer and a text tokenizer can be used together; the errors name all parties. */
public final class VisionModels {
  private VisionModels() {}

  /**
   * The model must have vision tables, and its vision vocabulary must be the tokenizer's codebook plus
   * {@code <eof>} and {@code <eov>} ({@link VisionVocabulary#size()}).
   */
  public static VisionVocabulary requireMatch(ModelConfig config, Path checkpoint, VisionTokenizer tokenizer, String tokenizerName) {
    VisionVocabulary vocab = VisionVocabulary.of(tokenizer);
    String tok = "the vision tokenizer " + tokenizerName + " (codebook " + tokenizer.codebookSize() + ", a vision vocabulary of "
        + vocab.size() + " with <eof> and <eov>)";
    if (!config.hasVision()) {
      throw new BadInputException("checkpoint " + checkpoint + " is text-only (no vision tables: vision-vocab-size 0); it cannot be used with "
          + tok + "; train it with a vision stage first");
    }
    if (config.visionVocabSize() != vocab.size()) {
      throw new BadInputException("checkpoint " + checkpoint + " has a vision vocabulary of " + config.visionVocabSize() + " ("
          + (config.visionVocabSize() - 2) + " codes + <eof> + <eov>), which does not match " + tok
          + "; use the tokenizer the checkpoint was trained with");
    }
    return vocab;
  }

  /** The text tokenizer's ids must fit the model's text vocabulary. */
  public static void requireText(ModelConfig config, Path checkpoint, Tokenizer text) {
    if (text.vocabSize() > config.vocabSize()) {
      throw new BadInputException("the text tokenizer " + text.name() + " has " + text.vocabSize() + " tokens, more than the "
          + config.vocabSize() + " of checkpoint " + checkpoint);
    }
  }
}
