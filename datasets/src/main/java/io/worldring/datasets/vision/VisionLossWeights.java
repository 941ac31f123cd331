package io.worldring.datasets.vision;

import io.worldring.model.BadInputException;

/**
 * How the vision and text losses combine (LWM: {@code 0.5 * (visionLoss + textLoss)}, each the mean over
 * its own targets in the batch). A kind with no targets in the batch contributes 0, as in LWM.
 */
public record VisionLossWeights(double vision, double text) {
  public static final VisionLossWeights LWM = new VisionLossWeights(0.5, 0.5);

  public VisionLossWeights {
    if (!(vision >= 0) || !(text >= 0) || vision + text == 0) {
      throw new BadInputException("vision and text loss weights must be >= 0 and not both 0, got " + vision + " and " + text);
    }
  }

  /** {@code vision * visionSum / visionTargets + text * textSum / textTargets}. */
  public double combine(double visionLossSum, long visionTargets, double textLossSum, long textTargets) {
    double v = visionTargets == 0 ? 0 : visionLossSum / visionTargets;
    double t = textTargets == 0 ? 0 : textLossSum / textTargets;
    return vision * v + text * t;
  }

  /**
   * Per-target weights that give {@link #combine} as one weighted sum over a batch's targets: each vision
   * target {@code vision / (vision targets)}, each text target {@code text / (text targets)}, others 0.
   *
   * @param kinds [targets], the loss kind of each target in the batch
   * @return [targets]
   */
  public float[] perTarget(LossKind[] kinds) {
    long nv = 0;
    long nt = 0;
    for (LossKind k : kinds) {
      nv += k == LossKind.VISION ? 1 : 0;
      nt += k == LossKind.TEXT ? 1 : 0;
    }
    float[] w = new float[kinds.length];
    for (int i = 0; i < kinds.length; i++) {
      w[i] = switch (kinds[i]) {
        case VISION -> (float) (vision / nv);
        case TEXT -> (float) (text / nt);
        case NONE -> 0f;
      };
    }
    return w;
  }
}
