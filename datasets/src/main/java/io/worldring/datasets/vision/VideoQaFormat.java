package io.worldring.datasets.vision;

import io.worldring.datasets.ChatTemplate;
import io.worldring.datasets.Tokenizer;

/**
 * Questions about a video in LWM's vision-chat format (its {@code vision_chat.py}):
 * {@code <s>You are a helpful assistant. USER: {question}\n<vision>..</vision> ASSISTANT: {answer}</s>}.
 * The question comes before the video, so the model reads the video knowing what to look for. Only the
 * answer (from the space after {@code ASSISTANT:}, as {@link ChatTemplate} marks it) and the EOS carry a
 * loss; the video is a prompt.
 */
public final class VideoQaFormat {
  static final String ASSISTANT = " ASSISTANT:";

  private final Tokenizer text;
  private final VisionVocabulary vocabulary;

  public VideoQaFormat(Tokenizer text, VisionVocabulary vocabulary) {
    this.text = text;
    this.vocabulary = vocabulary;
  }

  public VisionExample format(String id, FrameCodes video, String question, String answer) {
    return head(video, question).textWithAnswer(ASSISTANT, " " + answer.strip()).eos(true).build(id);
  }

  /** What {@code worldring ask} continues: the example up to and including {@code ASSISTANT:}. */
  public VisionExample prompt(FrameCodes video, String question) {
    return head(video, question).text(ASSISTANT, false).build("ask");
  }

  private VisionSequenceBuilder head(FrameCodes video, String question) {
    return new VisionSequenceBuilder(text, vocabulary).bos()
        .text(ChatTemplate.SYSTEM + " USER: " + question.strip() + "\n", false)
        .vision(video, false);
  }
}
