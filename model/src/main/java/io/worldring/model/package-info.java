/** The LLaMA-style decoder and its maths: pure ND4J, no actors, no network. */
package io.worldring.model;
