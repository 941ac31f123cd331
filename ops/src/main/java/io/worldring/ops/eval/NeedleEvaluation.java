package io.worldring.ops.eval;

import io.worldring.datasets.Needles;
import io.worldring.datasets.Tokenizer;
import io.worldring.datasets.eval.NeedlePrompt;
import io.worldring.datasets.eval.NeedleScore;
import io.worldring.model.SplitMix64;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs a needle grid: for each context length and depth, {@code rounds} prompts (needles and numbers drawn
 * from a seed that depends only on the cell and round, so a resumed evaluation asks the same), answered
 * greedily, scored by exact numbers. Cells already in the results file are kept.
 */
public final class NeedleEvaluation {
  private NeedleEvaluation() {}

  /**
   * @param progress called after each prompt with (done, total)
   */
  public static NeedleResults run(NeedleGrid grid, String haystack, Tokenizer tokenizer, Answerer model, NeedleResults results,
      Path resultsFile, Consumer<int[]> progress) {
    int total = grid.contexts().size() * grid.depths().size() * grid.rounds();
    int done = 0;
    for (int context : grid.contexts()) {
      for (double depth : grid.depths()) {
        if (results.find(context, depth) != null) {
          done += grid.rounds();
          progress.accept(new int[] {done, total});
          continue;
        }
        List<NeedleResults.Answer> answers = new ArrayList<>();
        for (int round = 0; round < grid.rounds(); round++) {
          SplitMix64 rng = new SplitMix64(grid.seed() * 1_000_003L + context * 7919L + Math.round(depth * 100) * 31L + round);
          List<Needles.Needle> needles = Needles.draw(rng, grid.needles());
          double[] depths = NeedlePrompt.depths(depth, grid.needles(), rng);
          int[] asked = NeedlePrompt.firstAsked(grid.retrieve());
          NeedlePrompt prompt = NeedlePrompt.build(haystack, tokenizer, context, needles, depths, asked);
          String answer = model.answer(prompt.tokens());
          List<String> numbers = new ArrayList<>();
          for (int a : asked) {
            numbers.add(needles.get(a).number());
          }
          answers.add(new NeedleResults.Answer(round, numbers, answer, NeedleScore.score(answer, needles, asked), prompt.tokens().length));
          progress.accept(new int[] {++done, total});
        }
        results.add(new NeedleResults.Cell(context, depth, answers));
        results.write(resultsFile);
      }
    }
    return results;
  }
}
