package io.worldring.model;

/**
 * What a token is: a text id, read and predicted through the text embedding and LM head, or a vision code
 * (LWM stage II), read and predicted through the vision embedding and vision head.
 */
public enum Modality {
  TEXT,
  VISION;

  public static Modality of(boolean vision) {
    return vision ? VISION : TEXT;
  }
}
