package io.worldring.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** The Maven profile decides the ND4J backend: CPU by default, CUDA with -Pcuda (run where a GPU is). */
class BackendTest {
  @Test
  void theBuildProfileSelectsTheBackend() {
    String expected = System.getProperty("worldring.expected.backend");
    assertNotNull(expected, "surefire sets worldring.expected.backend from the profile");
    assertEquals(expected, Nd4j.getBackend().getClass().getSimpleName());
  }
}
