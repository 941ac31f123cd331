package io.worldring.datasets.vision.world;

import java.util.List;

/**
 * The kinds of question asked about a world video. Each has a small closed set of answers, so a model's
 * accuracy can be set against chance: {@link #chance()} is the accuracy of guessing uniformly from
 * {@link #answers()} ({@link WorldQuestions} draws answers as evenly as each video allows, so always
 * giving the commonest answer does not do much better).
 */
public enum QuestionType {
  /**
   * "What colour was the first object to appear?": the object on frame 0, asked after the whole video, so
   * the evidence is as far from the question as the video is long. Nothing in the question's text hints at
   * the answer (every video asks it in the same words, colours are drawn uniformly).
   */
  FIRST_COLOUR(Colour.words()),
  /** "What colour was the last object to appear?": the newest object, told apart from those already there. */
  LAST_COLOUR(Colour.words()),
  /** "What colour was the object that appeared at frame t?": find frame t among all frames. */
  APPEARED_COLOUR(Colour.words()),
  /** "What shape was the object that appeared at frame t?" */
  APPEARED_SHAPE(Shape.words()),
  /** "What colour was the object that disappeared at frame t?": frames t-1 and t. */
  DISAPPEARED_COLOUR(Colour.words()),
  /** "How many times did the red square bounce?": the object's whole life. */
  BOUNCE_COUNT(List.of("0", "1", "2", "3", "4", "5 or more")),
  /** "How many objects appeared from frame a to frame b?": every frame of a long window. */
  APPEARED_BETWEEN(List.of("0", "1", "2", "3", "4")),
  /** "Did the red square appear before or after the blue circle?": two appearances far apart. */
  BEFORE_OR_AFTER(List.of("before", "after")),
  /** "Where was the red square at frame t?": the quadrant of its centre. */
  POSITION_AT(List.of("top left", "top right", "bottom left", "bottom right"));

  private final List<String> answers;

  QuestionType(List<String> answers) {
    this.answers = answers;
  }

  /** Every answer this type can have. */
  public List<String> answers() {
    return answers;
  }

  /** Accuracy of a uniform guess: 1 / answers. */
  public double chance() {
    return 1.0 / answers.size();
  }
}
