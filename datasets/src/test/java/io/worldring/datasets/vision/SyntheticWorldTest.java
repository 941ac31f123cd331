package io.worldring.datasets.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.datasets.vision.world.Colour;
import io.worldring.datasets.vision.world.QuestionType;
import io.worldring.datasets.vision.world.WorldCaptions;
import io.worldring.datasets.vision.world.WorldConfig;
import io.worldring.datasets.vision.world.WorldObject;
import io.worldring.datasets.vision.world.WorldQaSource;
import io.worldring.datasets.vision.world.WorldQuestion;
import io.worldring.datasets.vision.world.WorldQuestions;
import io.worldring.datasets.vision.world.WorldSimulator;
import io.worldring.datasets.vision.world.WorldVideo;
import io.worldring.model.SplitMix64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The synthetic world: seeded, rendered exactly as its ground truth says, questions answerable and chance known. */
class SyntheticWorldTest {
  @Test
  void theSameSeedGivesTheSameVideo() {
    WorldVideo a = WorldSimulator.generate(WorldConfig.tiny(), 42);
    WorldVideo b = WorldSimulator.generate(WorldConfig.tiny(), 42);
    assertEquals(a.objects().size(), b.objects().size());
    for (int i = 0; i < a.objects().size(); i++) {
      WorldObject p = a.objects().get(i);
      WorldObject q = b.objects().get(i);
      assertEquals(p.name(), q.name());
      assertEquals(p.enter(), q.enter());
      assertEquals(p.exit(), q.exit());
      assertArrayEquals(p.x(), q.x());
      assertArrayEquals(p.bounceFrames(), q.bounceFrames());
    }
    for (int t = 0; t < a.frames(); t += 7) {
      assertArrayEquals(a.render(t).rgb(), b.render(t).rgb(), "frame " + t);
    }
    assertEquals(WorldQaSource.questions(a, 10), WorldQaSource.questions(b, 10));
    WorldVideo c = WorldSimulator.generate(WorldConfig.tiny(), 43);
    assertFalse(WorldCaptions.video(a).equals(WorldCaptions.video(c)), "another seed, another video");
  }

  @Test
  void everyPixelShowsTheObjectTheGroundTruthPutsOnTop() {
    for (long seed = 0; seed < 3; seed++) {
      WorldVideo v = WorldSimulator.generate(WorldConfig.tiny(), seed);
      int s = v.frameSize();
      for (int t = 0; t < v.frames(); t++) {
        Frame f = v.render(t);
        for (int y = 0; y < s; y++) {
          for (int x = 0; x < s; x++) {
            WorldObject top = v.topAt(t, x, y);
            int expected = top == null ? Colour.BACKGROUND : top.colour().rgb24();
            assertEquals(expected, f.rgb24(y, x), "seed " + seed + " frame " + t + " pixel (" + x + ", " + y + ")");
          }
        }
      }
    }
  }

  @Test
  void eachVisibleObjectsColourIsAtItsCentreUnlessSomethingLaterCoversIt() {
    WorldVideo v = WorldSimulator.generate(WorldConfig.small(), 5);
    int checked = 0;
    for (int frame = 0; frame < v.frames(); frame++) {
      final int t = frame;
      Frame f = v.render(t);
      for (WorldObject o : v.visible(t)) {
        int px = (int) Math.floor(o.x(t));
        int py = (int) Math.floor(o.y(t));
        boolean covered = v.objects().stream().anyMatch(p -> p.id() > o.id() && p.covers(t, px, py));
        if (!covered) {
          assertEquals(o.colour().rgb24(), f.rgb24(py, px), o.name() + " at frame " + t);
          checked++;
        }
        double r = o.radius();
        assertTrue(o.x(t) >= r - 1e-4 && o.x(t) <= v.frameSize() - r + 1e-4 && o.y(t) >= r - 1e-4 && o.y(t) <= v.frameSize() - r + 1e-4,
            o.name() + " stays inside the frame at " + t);
      }
      for (WorldObject o : v.objects()) {
        if (!o.visibleAt(t)) {
          assertFalse(o.covers(t, (int) v.frameSize() / 2, (int) v.frameSize() / 2));
        }
      }
    }
    assertTrue(checked > 1000, "centres checked: " + checked);
  }

  @Test
  void objectsMoveInStraightLinesBetweenBouncesAndTurnBackAtThem() {
    WorldVideo v = WorldSimulator.generate(WorldConfig.small(), 9);
    int bounces = 0;
    for (WorldObject o : v.objects()) {
      Set<Integer> at = new HashSet<>();
      for (int b : o.bounceFrames()) {
        at.add(b);
      }
      for (int t = o.enter() + 2; t < o.exit(); t++) {
        double dx0 = o.x(t - 1) - o.x(t - 2);
        double dy0 = o.y(t - 1) - o.y(t - 2);
        double dx1 = o.x(t) - o.x(t - 1);
        double dy1 = o.y(t) - o.y(t - 1);
        boolean steady = Math.abs(dx1 - dx0) < 1e-3 && Math.abs(dy1 - dy0) < 1e-3;
        if (!at.contains(t) && !at.contains(t - 1)) {
          assertTrue(steady, o.name() + " keeps its velocity at frame " + t);
        }
        if (at.contains(t - 1) && !at.contains(t) && !at.contains(t - 2) && t - 3 >= o.enter()) {
          double vx = o.x(t - 2) - o.x(t - 3); // before the bounce at t-1, and after it (dx1)
          double vy = o.y(t - 2) - o.y(t - 3);
          boolean flipped = Math.abs(dx1 + vx) < 1e-3 && Math.abs(dy1 - vy) < 1e-3
              || Math.abs(dx1 - vx) < 1e-3 && Math.abs(dy1 + vy) < 1e-3
              || Math.abs(dx1 + vx) < 1e-3 && Math.abs(dy1 + vy) < 1e-3;
          assertTrue(flipped, o.name() + " turns back at its bounce on frame " + (t - 1));
          bounces++;
        }
      }
      assertTrue(o.bounces() == at.size(), "bounce frames are distinct");
    }
    assertTrue(bounces > 20, "bounces checked: " + bounces);
  }

  @Test
  void objectsAreNamedAndTimedUniquely() {
    for (long seed = 0; seed < 20; seed++) {
      WorldVideo v = WorldSimulator.generate(WorldConfig.small(), seed);
      assertEquals(20, v.objects().size());
      assertEquals(20, v.objects().stream().map(WorldObject::name).distinct().count());
      assertEquals(20, v.objects().stream().mapToInt(WorldObject::enter).distinct().count());
      assertEquals(0, v.objects().get(0).enter());
      List<Integer> exits = v.objects().stream().filter(o -> o.exit() < v.frames()).map(WorldObject::exit).toList();
      assertEquals(exits.size(), new HashSet<>(exits).size(), "disappearances on distinct frames");
      for (WorldObject o : v.objects()) {
        assertTrue(o.exit() - o.enter() >= v.config().minLifetime());
        assertFalse(o.visibleAt(o.enter() - 1));
        assertTrue(o.visibleAt(o.enter()));
      }
    }
  }

  @Test
  void answersFollowFromTheGroundTruthAndTheFrames() {
    WorldVideo v = WorldSimulator.generate(WorldConfig.small(), 3);
    SplitMix64 rng = new SplitMix64(1);
    int positions = 0;
    for (QuestionType type : QuestionType.values()) {
      for (WorldQuestion q : WorldQuestions.candidates(v, type, rng)) {
        assertTrue(type.answers().contains(q.answer()), q + " answers from the closed set");
        assertTrue(q.firstFrame() >= 0 && q.lastFrame() < v.frames() && q.firstFrame() <= q.lastFrame(), q.toString());
        if (type == QuestionType.APPEARED_COLOUR) {
          int t = Integer.parseInt(q.question().replaceAll("\\D", ""));
          WorldObject o = v.appearingAt(t);
          assertNotNull(o);
          assertEquals(o.colour().word(), q.answer());
          assertTrue(showsColour(v.render(t), Colour.valueOf(q.answer().toUpperCase())), "the colour is on frame " + t);
          assertFalse(o.visibleAt(t - 1), "it was not there before");
        }
        if (type == QuestionType.FIRST_COLOUR || type == QuestionType.LAST_COLOUR) {
          int enter = q.firstFrame();
          WorldObject o = v.appearingAt(enter);
          assertEquals(o.colour().word(), q.answer());
          assertTrue(showsColour(v.render(enter), o.colour()), "the colour is on frame " + enter);
          boolean first = type == QuestionType.FIRST_COLOUR;
          assertEquals(first ? 0 : v.objects().stream().mapToInt(WorldObject::enter).max().orElseThrow(), enter, q.question());
        }
        if (type == QuestionType.APPEARED_BETWEEN) {
          String[] frames = q.question().replaceAll("\\D+", " ").trim().split(" ");
          int a = Integer.parseInt(frames[0]);
          int b = Integer.parseInt(frames[1]);
          long n = v.objects().stream().filter(o -> o.enter() >= a && o.enter() <= b).count();
          assertEquals(Long.toString(n), q.answer(), q.question());
        }
        if (type == QuestionType.DISAPPEARED_COLOUR) {
          int t = Integer.parseInt(q.question().replaceAll("\\D", ""));
          WorldObject o = v.objects().stream().filter(p -> p.exit() == t).findFirst().orElseThrow();
          assertEquals(o.colour().word(), q.answer());
          assertTrue(showsColour(v.render(t - 1), o.colour()) && o.visibleAt(t - 1) && !o.visibleAt(t), q.question());
        }
        if (type == QuestionType.POSITION_AT) {
          String name = q.question().replaceFirst("Where was the (.*) at frame \\d+\\?", "$1");
          int t = Integer.parseInt(q.question().replaceAll(".*frame (\\d+)\\?", "$1"));
          WorldObject o = v.objects().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
          String seen = quadrantSeen(v.render(t), o, t);
          if (seen != null) {
            assertEquals(seen, q.answer(), q.question());
            positions++;
          }
        }
      }
    }
    assertTrue(positions >= 10, "positions read from the pixels: " + positions);
  }

  static boolean showsColour(Frame f, Colour c) {
    for (int y = 0; y < f.size(); y++) {
      for (int x = 0; x < f.size(); x++) {
        if (f.rgb24(y, x) == c.rgb24()) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The quadrant of the centroid of the pixels in the object's box that show its colour, read from the frame;
   * null when nothing shows or the centroid is within 1.5 pixels of a midline (the pixels cannot tell).
   */
  static String quadrantSeen(Frame f, WorldObject o, int t) {
    double sx = 0;
    double sy = 0;
    int n = 0;
    int r = (int) Math.ceil(o.radius());
    for (int y = Math.max(0, (int) o.y(t) - r); y <= Math.min(f.size() - 1, (int) o.y(t) + r); y++) {
      for (int x = Math.max(0, (int) o.x(t) - r); x <= Math.min(f.size() - 1, (int) o.x(t) + r); x++) {
        if (f.rgb24(y, x) == o.colour().rgb24()) {
          sx += x + 0.5;
          sy += y + 0.5;
          n++;
        }
      }
    }
    double mid = f.size() / 2.0;
    if (n == 0 || Math.abs(sx / n - mid) < 1.5 || Math.abs(sy / n - mid) < 1.5) {
      return null;
    }
    return (sy / n < mid ? "top" : "bottom") + " " + (sx / n < mid ? "left" : "right");
  }

  @Test
  void chanceLevelsMatchTheAnswerSetsAndTheAnswersAreSpreadOverThem() {
    for (QuestionType type : QuestionType.values()) {
      assertEquals(1.0 / type.answers().size(), type.chance(), 1e-12);
      assertEquals(type.answers().size(), new HashSet<>(type.answers()).size());
    }
    assertEquals(1.0 / 6, QuestionType.APPEARED_COLOUR.chance(), 1e-12);
    assertEquals(0.25, QuestionType.APPEARED_SHAPE.chance(), 1e-12);
    assertEquals(0.5, QuestionType.BEFORE_OR_AFTER.chance(), 1e-12);

    Map<QuestionType, Map<String, Integer>> counts = new EnumMap<>(QuestionType.class);
    Map<QuestionType, Integer> totals = new EnumMap<>(QuestionType.class);
    for (long seed = 0; seed < 300; seed++) {
      WorldVideo v = WorldSimulator.generate(WorldConfig.small(), seed);
      for (WorldQuestion q : WorldQuestions.sample(v, 14, new SplitMix64(seed))) {
        counts.computeIfAbsent(q.type(), k -> new HashMap<>()).merge(q.answer(), 1, Integer::sum);
        totals.merge(q.type(), 1, Integer::sum);
      }
    }
    StringBuilder report = new StringBuilder();
    for (QuestionType type : QuestionType.values()) {
      int total = totals.getOrDefault(type, 0);
      assertTrue(total >= 300, type + " asked " + total + " times");
      int commonest = counts.get(type).values().stream().mapToInt(Integer::intValue).max().orElse(0);
      double majority = commonest / (double) total;
      report.append(String.format("%s: chance %.3f, commonest answer %.3f; ", type, type.chance(), majority));
      assertTrue(majority < 1.6 * type.chance(), "always giving the commonest answer stays near chance: " + type + " " + majority);
    }
    System.out.println("world answers: " + report);
  }

  @Test
  void aVideoIsNeverAskedTheSameQuestionTwice() {
    for (long seed = 0; seed < 20; seed++) {
      WorldVideo v = WorldSimulator.generate(WorldConfig.small(), seed);
      List<WorldQuestion> all = WorldQuestions.sample(v, 40, new SplitMix64(seed));
      assertEquals(40, all.size(), "a 512-frame video has 40 distinct questions");
      assertEquals(all.size(), all.stream().map(WorldQuestion::question).distinct().count(), "distinct: " + all);
      List<WorldQuestion> first = WorldQuestions.sample(v, 4, new SplitMix64(seed), List.of(QuestionType.FIRST_COLOUR));
      assertEquals(1, first.size(), "first-colour has one question per video: " + first);
      List<WorldQuestion> ends = WorldQuestions.sample(v, 4, new SplitMix64(seed), List.of(QuestionType.FIRST_COLOUR, QuestionType.LAST_COLOUR));
      assertEquals(Set.of(QuestionType.FIRST_COLOUR, QuestionType.LAST_COLOUR),
          ends.stream().map(WorldQuestion::type).collect(Collectors.toSet()));
      assertEquals(2, ends.size());
    }
  }

  @Test
  void longRangeQuestionsNeedFramesFarApart() {
    WorldVideo v = WorldSimulator.generate(WorldConfig.small(), 11);
    List<WorldQuestion> qs = WorldQuestions.sample(v, 200, new SplitMix64(2));
    double meanSpan = qs.stream().filter(q -> q.type() == QuestionType.BEFORE_OR_AFTER || q.type() == QuestionType.BOUNCE_COUNT)
        .mapToInt(WorldQuestion::span).average().orElse(0);
    assertTrue(meanSpan > 100, "mean evidence span of before/after and bounce questions over 512 frames: " + meanSpan);
    double windows = qs.stream().filter(q -> q.type() == QuestionType.APPEARED_BETWEEN).mapToInt(WorldQuestion::span).average().orElse(0);
    assertTrue(windows > 20, "mean window of the counting questions: " + windows);
  }

  @Test
  void captionsNameWhatIsThere() {
    WorldVideo v = WorldSimulator.generate(WorldConfig.tiny(), 4);
    for (int t = 0; t < v.frames(); t += 9) {
      String caption = WorldCaptions.frame(v, t);
      for (WorldObject o : v.visible(t)) {
        assertTrue(caption.contains(o.name() + " at " + WorldCaptions.region(v, o, t)), caption);
      }
    }
    String video = WorldCaptions.video(v);
    for (WorldObject o : v.objects()) {
      assertTrue(video.contains("A " + o.name() + " appears at frame " + o.enter() + ","), video);
    }
  }
}
