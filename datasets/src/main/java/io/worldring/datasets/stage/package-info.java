/**
 * One curriculum stage's data from a config record ({@link io.worldring.datasets.stage.DataMix}) as a
 * single resumable {@link io.worldring.datasets.source.SequenceStream} ({@link io.worldring.datasets.stage.StageData}).
 */
package io.worldring.datasets.stage;
