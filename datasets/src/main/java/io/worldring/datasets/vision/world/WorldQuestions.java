package io.worldring.datasets.vision.world;

import io.worldring.model.SplitMix64;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Questions about a world video, answered from its ground truth. Frame numbers count from 0, as the video
 * is given to the model (every frame, no sampling). To keep chance meaningful, a question of a type is
 * drawn by first picking an answer uniformly among those some question in this video has, then a question
 * with that answer. A video is never asked the same question twice: a repeat adds no evidence, only
 * weight on one video (in training) or a double count (in evaluation).
 */
public final class WorldQuestions {
  private WorldQuestions() {}

  /**
   * Up to {@code count} distinct questions cycling through the types in a seeded order; a type this video
   * has no (further) question of is skipped, so fewer come back when the video runs out (first-colour
   * and last-colour have one question per video).
   */
  public static List<WorldQuestion> sample(WorldVideo video, int count, SplitMix64 rng) {
    return sample(video, count, rng, List.of(QuestionType.values()));
  }

  /** As {@link #sample(WorldVideo, int, SplitMix64)}, over {@code types} only (all types: the same questions). */
  public static List<WorldQuestion> sample(WorldVideo video, int count, SplitMix64 rng, List<QuestionType> types) {
    int[] order = rng.permutation(types.size());
    List<WorldQuestion> out = new ArrayList<>(count);
    Set<String> asked = new HashSet<>();
    int misses = 0;
    for (int k = 0; out.size() < count && misses < types.size(); k++) {
      WorldQuestion q = ask(video, types.get(order[k % types.size()]), rng, asked);
      if (q == null) {
        misses++;
      } else {
        misses = 0;
        out.add(q);
        asked.add(q.question());
      }
    }
    return out;
  }

  /** One question of a type, or null when this video has none (nothing disappears, say). */
  public static WorldQuestion ask(WorldVideo video, QuestionType type, SplitMix64 rng) {
    return ask(video, type, rng, Set.of());
  }

  /** As {@link #ask(WorldVideo, QuestionType, SplitMix64)}, leaving out the questions whose text is in {@code asked}. */
  public static WorldQuestion ask(WorldVideo video, QuestionType type, SplitMix64 rng, Set<String> asked) {
    Map<String, List<WorldQuestion>> byAnswer = new LinkedHashMap<>();
    for (WorldQuestion q : candidates(video, type, rng)) {
      if (!asked.contains(q.question())) {
        byAnswer.computeIfAbsent(q.answer(), a -> new ArrayList<>()).add(q);
      }
    }
    if (byAnswer.isEmpty()) {
      return null;
    }
    List<List<WorldQuestion>> groups = new ArrayList<>(byAnswer.values());
    List<WorldQuestion> group = groups.get(rng.nextInt(groups.size()));
    return group.get(rng.nextInt(group.size()));
  }

  /** Every question of a type this video can answer (POSITION_AT: one random frame per object). */
  public static List<WorldQuestion> candidates(WorldVideo video, QuestionType type, SplitMix64 rng) {
    List<WorldQuestion> out = new ArrayList<>();
    List<WorldObject> objects = video.objects();
    switch (type) {
      case FIRST_COLOUR -> {
        WorldObject first = objects.get(0); // objects are in order of appearance
        out.add(new WorldQuestion(type, "What colour was the first object to appear?", first.colour().word(), first.enter(), first.enter()));
      }
      case LAST_COLOUR -> {
        WorldObject last = objects.get(objects.size() - 1);
        out.add(new WorldQuestion(type, "What colour was the last object to appear?", last.colour().word(), last.enter(), last.enter()));
      }
      case APPEARED_COLOUR -> objects.forEach(o -> out.add(new WorldQuestion(type,
          "What colour was the object that appeared at frame " + o.enter() + "?", o.colour().word(), o.enter(), o.enter())));
      case APPEARED_SHAPE -> objects.forEach(o -> out.add(new WorldQuestion(type,
          "What shape was the object that appeared at frame " + o.enter() + "?", o.shape().word(), o.enter(), o.enter())));
      case DISAPPEARED_COLOUR -> objects.stream().filter(o -> o.exit() < video.frames()).forEach(o -> out.add(new WorldQuestion(type,
          "What colour was the object that disappeared at frame " + o.exit() + "?", o.colour().word(), o.exit() - 1, o.exit())));
      case BOUNCE_COUNT -> objects.forEach(o -> out.add(new WorldQuestion(type,
          "How many times did the " + o.name() + " bounce?", countAnswer(type, o.bounces()), o.enter(), o.exit() - 1)));
      case APPEARED_BETWEEN -> appearedBetween(video, type, rng, out);
      case BEFORE_OR_AFTER -> {
        for (WorldObject a : objects) {
          for (WorldObject b : objects) {
            if (a != b) {
              out.add(new WorldQuestion(type, "Did the " + a.name() + " appear before or after the " + b.name() + "?",
                  a.enter() < b.enter() ? "before" : "after", Math.min(a.enter(), b.enter()), Math.max(a.enter(), b.enter())));
            }
          }
        }
      }
      case POSITION_AT -> {
        for (WorldObject o : objects) {
          int t = o.enter() + rng.nextInt(o.exit() - o.enter());
          out.add(new WorldQuestion(type, "Where was the " + o.name() + " at frame " + t + "?", quadrant(video, o, t), t, t));
        }
      }
    }
    return out;
  }

  /**
   * For each possible count k (0..4) and each run of k consecutive appearances, a window of frames holding
   * exactly that run (its ends drawn between the neighbouring appearances), so every count can be asked.
   */
  private static void appearedBetween(WorldVideo video, QuestionType type, SplitMix64 rng, List<WorldQuestion> out) {
    int[] enters = video.objects().stream().mapToInt(WorldObject::enter).toArray(); // ascending
    int n = enters.length;
    for (int i = 0; i <= n; i++) { // empty windows: the gaps after each appearance
      int from = i == 0 ? 0 : enters[i - 1] + 1;
      int to = i == n ? video.frames() - 1 : enters[i] - 1;
      if (from <= to) {
        int a = from + rng.nextInt(to - from + 1);
        int b = a + rng.nextInt(to - a + 1);
        out.add(between(type, a, b, 0));
      }
    }
    for (int k = 1; k < type.answers().size(); k++) {
      for (int i = 0; i + k <= n; i++) {
        int lo = i == 0 ? 0 : enters[i - 1] + 1; // the window starts after the previous appearance ...
        int hi = i + k == n ? video.frames() - 1 : enters[i + k] - 1; // ... and ends before the next one
        int a = lo + rng.nextInt(enters[i] - lo + 1);
        int b = enters[i + k - 1] + rng.nextInt(hi - enters[i + k - 1] + 1);
        out.add(between(type, a, b, k));
      }
    }
  }

  private static WorldQuestion between(QuestionType type, int a, int b, int count) {
    return new WorldQuestion(type, "How many objects appeared from frame " + a + " to frame " + b + "?", type.answers().get(count), a, b);
  }

  /** The quadrant of the object's centre; a centre exactly on a midline counts as right / bottom. */
  public static String quadrant(WorldVideo video, WorldObject o, int t) {
    double mid = video.frameSize() / 2.0;
    return (o.y(t) < mid ? "top" : "bottom") + " " + (o.x(t) < mid ? "left" : "right");
  }

  private static String countAnswer(QuestionType type, int n) {
    List<String> a = type.answers();
    return a.get(Math.min(n, a.size() - 1));
  }
}
