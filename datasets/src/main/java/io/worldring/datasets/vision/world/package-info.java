/**
 * The synthetic world: seeded videos of coloured shapes that appear, move, bounce off the edges and
 * disappear, with exact captions and closed-answer questions whose evidence lies frames apart; our stand-in
 * for long-video understanding data.
 */
package io.worldring.datasets.vision.world;
