package io.worldring.datasets.vision;

/**
 * Which side of a vision-text pair comes first. The first side is the prompt (no loss), the second the
 * output (loss): {@code VISION_FIRST} is captioning (image/video to text), {@code TEXT_FIRST} is
 * generation (text to image/video).
 */
public enum ModalityOrder {
  VISION_FIRST, TEXT_FIRST
}
