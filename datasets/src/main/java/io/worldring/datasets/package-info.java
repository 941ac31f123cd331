/** Tokenizers and training data: sources, packing and resumable positions. */
package io.worldring.datasets;
