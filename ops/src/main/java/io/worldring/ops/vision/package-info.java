/**
 * Using a vision model from the command line: text-to-frame generation with LWM's classifier-free guidance
 * and forced frame ends ({@link io.worldring.ops.vision.FrameGeneration}), greedy answers about a video
 * ({@link io.worldring.ops.vision.VisionAnswers}), frames laid out as one PNG
 * ({@link io.worldring.ops.vision.FrameGrid}), and the checks that a checkpoint and a vision tokenizer
 * belong together ({@link io.worldring.ops.vision.VisionModels}).
 */
package io.worldring.ops.vision;
