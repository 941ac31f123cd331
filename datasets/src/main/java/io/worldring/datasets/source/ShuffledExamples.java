package io.worldring.datasets.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldring.datasets.Example;
import io.worldring.model.BadInputException;
import io.worldring.model.SplitMix64;
import java.util.List;

/** A fixed list of examples visited in a fresh seeded order every epoch. State: (epoch, index). */
public final class ShuffledExamples implements ExampleSource {
  private final List<Example> examples;
  private final long seed;
  private final String name;
  private long epoch;
  private int index;
  private int[] order;

  public ShuffledExamples(String name, List<Example> examples, long seed) {
    if (examples.isEmpty()) {
      throw new BadInputException(name + ": no examples");
    }
    this.name = name;
    this.examples = List.copyOf(examples);
    this.seed = seed;
    position(0, 0);
  }

  public int size() {
    return examples.size();
  }

  @Override
  public Example next() {
    Example e = examples.get(order[index]);
    if (++index == examples.size()) {
      position(epoch + 1, 0);
    }
    return e;
  }

  @Override
  public JsonNode state() {
    return States.object().put("epoch", epoch).put("index", index);
  }

  @Override
  public void restore(JsonNode state) {
    long e = States.getLong(state, "epoch", name);
    long i = States.getLong(state, "index", name);
    if (e < 0 || i < 0 || i >= examples.size()) {
      throw new BadInputException(name + " state " + state + " is outside its " + examples.size() + " examples");
    }
    position(e, (int) i);
  }

  private void position(long newEpoch, int newIndex) {
    if (order == null || newEpoch != epoch) {
      order = new SplitMix64(seed ^ (0x9E3779B97F4A7C15L * (newEpoch + 1))).permutation(examples.size());
    }
    epoch = newEpoch;
    index = newIndex;
  }
}
