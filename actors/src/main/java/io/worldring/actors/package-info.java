/** Pekko behaviour: device actors, the training supervisor, cluster wiring and metrics. */
package io.worldring.actors;
