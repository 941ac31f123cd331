package io.worldring.datasets.vision;

/** What predicting a token costs: nothing, a text loss (text head), or a vision loss (vision head). */
public enum LossKind {
  NONE, TEXT, VISION
}
