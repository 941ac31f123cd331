package io.worldring.model.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PsnrTest {
  @Test
  void peakIsTheRangeOfMinusOneToOne() {
    INDArray a = Nd4j.zeros(DataType.FLOAT, 3, 4, 4);
    assertEquals(Double.POSITIVE_INFINITY, Psnr.of(a, a.dup()));
    // an error of the whole range everywhere: MSE 4 = peak^2, so 0 dB
    assertEquals(0.0, Psnr.of(Nd4j.ones(DataType.FLOAT, 3, 4, 4).negi(), Nd4j.ones(DataType.FLOAT, 3, 4, 4)), 1e-12);
    // an error of 0.02 (2.55 levels of 255): 10 log10(4 / 0.0004) = 40 dB, as on 8-bit pixels
    assertEquals(40.0, Psnr.of(a, a.add(0.02)), 1e-5);
  }
}
