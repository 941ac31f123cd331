package io.worldring.datasets.vision;

import io.worldring.datasets.Tokenizer;

/**
 * LWM's vision-text pair examples (image-text and video-text pretraining): BOS, the prompt side without a
 * loss, the output side with a loss, EOS with a loss. {@link ModalityOrder#VISION_FIRST} gives
 * {@code <s> [<vision>..</vision>] caption </s>} (captioning, text loss);
 * {@link ModalityOrder#TEXT_FIRST} gives {@code <s> [caption] <vision>..</vision> </s>} (generation,
 * vision loss; the delimiters and the final EOS are text targets). An image is a one-frame span.
 */
public final class CaptionFormat {
  private final Tokenizer text;
  private final VisionVocabulary vocabulary;

  public CaptionFormat(Tokenizer text, VisionVocabulary vocabulary) {
    this.text = text;
    this.vocabulary = vocabulary;
  }

  public VisionExample format(String id, FrameCodes vision, String caption, ModalityOrder order) {
    VisionSequenceBuilder b = new VisionSequenceBuilder(text, vocabulary).bos();
    if (order == ModalityOrder.VISION_FIRST) {
      b.vision(vision, false).text(caption, true);
    } else {
      b.text(caption, false).vision(vision, true);
    }
    return b.eos(true).build(id);
  }

  /** What text-to-vision generation continues: {@code <s> caption <vision>}. */
  public VisionExample generationPrompt(String caption) {
    return new VisionSequenceBuilder(text, vocabulary).bos().text(caption, false)
        .text(VisionSequenceBuilder.VISION_START, false).build("prompt");
  }

  /** The unconditional prompt for classifier-free guidance: {@code <s><vision>}. */
  public VisionExample unconditionalPrompt() {
    return new VisionSequenceBuilder(text, vocabulary).bos().text(VisionSequenceBuilder.VISION_START, false).build("unconditional");
  }
}
