package io.worldring.datasets.vision;

/** An image or video, already encoded, with its caption: one pair before the format picks an order. */
public record CaptionedVision(String id, FrameCodes vision, String caption) {}
