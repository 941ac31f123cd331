package io.worldring.model.vision;

import io.worldring.model.Parameters;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The VQGAN written as plain loops in double, straight from taming's {@code model.py} forward code, to
 * check the ND4J version against. Activations are {@code double[n][channels][height][width]}.
 */
final class Reference {
  private final VqganConfig config;
  private final Parameters weights;

  Reference(VqganConfig config, Parameters weights) {
    this.config = config;
    this.weights = weights;
  }

  static double[][][][] of(INDArray a) {
    INDArray d = a.castTo(DataType.DOUBLE).dup('c');
    double[] flat = d.data().asDouble();
    int n = (int) a.size(0), c = (int) a.size(1), h = (int) a.size(2), w = (int) a.size(3);
    double[][][][] out = new double[n][c][h][w];
    int i = 0;
    for (int b = 0; b < n; b++) {
      for (int ch = 0; ch < c; ch++) {
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            out[b][ch][y][x] = flat[i++];
          }
        }
      }
    }
    return out;
  }

  static INDArray toArray(double[][][][] a) {
    int n = a.length, c = a[0].length, h = a[0][0].length, w = a[0][0][0].length;
    double[] flat = new double[n * c * h * w];
    int i = 0;
    for (double[][][] b : a) {
      for (double[][] ch : b) {
        for (double[] row : ch) {
          for (double v : row) {
            flat[i++] = v;
          }
        }
      }
    }
    return Nd4j.create(flat, new long[] {n, c, h, w}, DataType.DOUBLE);
  }

  private double[] vec(String name) {
    return weights.get(name).castTo(DataType.DOUBLE).dup('c').data().asDouble();
  }

  /** Cross-correlation as torch.nn.Conv2d computes it, with zero padding (top, left, bottom, right). */
  static double[][][][] conv(double[][][][] x, double[] w, double[] bias, int outC, int k, int stride,
      int top, int left, int bottom, int right) {
    int n = x.length, inC = x[0].length, h = x[0][0].length, wd = x[0][0][0].length;
    int oh = (h + top + bottom - k) / stride + 1;
    int ow = (wd + left + right - k) / stride + 1;
    double[][][][] y = new double[n][outC][oh][ow];
    for (int b = 0; b < n; b++) {
      for (int o = 0; o < outC; o++) {
        for (int i = 0; i < oh; i++) {
          for (int j = 0; j < ow; j++) {
            double s = bias[o];
            for (int c = 0; c < inC; c++) {
              for (int p = 0; p < k; p++) {
                int yy = i * stride + p - top;
                if (yy < 0 || yy >= h) {
                  continue;
                }
                for (int q = 0; q < k; q++) {
                  int xx = j * stride + q - left;
                  if (xx >= 0 && xx < wd) {
                    s += w[((o * inC + c) * k + p) * k + q] * x[b][c][yy][xx];
                  }
                }
              }
            }
            y[b][o][i][j] = s;
          }
        }
      }
    }
    return y;
  }

  static double[][][][] groupNorm(double[][][][] x, double[] scale, double[] shift, int groups, double eps) {
    int n = x.length, c = x[0].length, h = x[0][0].length, w = x[0][0][0].length;
    int per = c / groups;
    double[][][][] y = new double[n][c][h][w];
    for (int b = 0; b < n; b++) {
      for (int g = 0; g < groups; g++) {
        double sum = 0;
        for (int ch = g * per; ch < (g + 1) * per; ch++) {
          for (double[] row : x[b][ch]) {
            for (double v : row) {
              sum += v;
            }
          }
        }
        double mean = sum / (per * h * w);
        double sq = 0;
        for (int ch = g * per; ch < (g + 1) * per; ch++) {
          for (double[] row : x[b][ch]) {
            for (double v : row) {
              sq += (v - mean) * (v - mean);
            }
          }
        }
        double inv = 1 / Math.sqrt(sq / (per * h * w) + eps);
        for (int ch = g * per; ch < (g + 1) * per; ch++) {
          for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
              y[b][ch][i][j] = (x[b][ch][i][j] - mean) * inv * scale[ch] + shift[ch];
            }
          }
        }
      }
    }
    return y;
  }

  static double[][][][] swish(double[][][][] x) {
    double[][][][] y = new double[x.length][x[0].length][x[0][0].length][];
    for (int b = 0; b < x.length; b++) {
      for (int c = 0; c < x[b].length; c++) {
        for (int i = 0; i < x[b][c].length; i++) {
          y[b][c][i] = new double[x[b][c][i].length];
          for (int j = 0; j < y[b][c][i].length; j++) {
            double v = x[b][c][i][j];
            y[b][c][i][j] = v / (1 + Math.exp(-v));
          }
        }
      }
    }
    return y;
  }

  static double[][][][] add(double[][][][] a, double[][][][] b) {
    double[][][][] y = new double[a.length][a[0].length][a[0][0].length][a[0][0][0].length];
    for (int n = 0; n < a.length; n++) {
      for (int c = 0; c < a[n].length; c++) {
        for (int i = 0; i < a[n][c].length; i++) {
          for (int j = 0; j < a[n][c][i].length; j++) {
            y[n][c][i][j] = a[n][c][i][j] + b[n][c][i][j];
          }
        }
      }
    }
    return y;
  }

  static double[][][][] nearestUpsample(double[][][][] x) {
    int n = x.length, c = x[0].length, h = x[0][0].length, w = x[0][0][0].length;
    double[][][][] y = new double[n][c][2 * h][2 * w];
    for (int b = 0; b < n; b++) {
      for (int ch = 0; ch < c; ch++) {
        for (int i = 0; i < 2 * h; i++) {
          for (int j = 0; j < 2 * w; j++) {
            y[b][ch][i][j] = x[b][ch][i / 2][j / 2];
          }
        }
      }
    }
    return y;
  }

  /** Single-head attention over pixels: softmax_j(q_i . k_j / sqrt(C)) v_j. */
  static double[][][][] attention(double[][][][] q, double[][][][] k, double[][][][] v) {
    int n = q.length, c = q[0].length, h = q[0][0].length, w = q[0][0][0].length, p = h * w;
    double[][][][] y = new double[n][c][h][w];
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < p; i++) {
        double[] s = new double[p];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < p; j++) {
          double dot = 0;
          for (int ch = 0; ch < c; ch++) {
            dot += q[b][ch][i / w][i % w] * k[b][ch][j / w][j % w];
          }
          s[j] = dot / Math.sqrt(c);
          max = Math.max(max, s[j]);
        }
        double sum = 0;
        for (int j = 0; j < p; j++) {
          s[j] = Math.exp(s[j] - max);
          sum += s[j];
        }
        for (int ch = 0; ch < c; ch++) {
          double acc = 0;
          for (int j = 0; j < p; j++) {
            acc += s[j] / sum * v[b][ch][j / w][j % w];
          }
          y[b][ch][i / w][i % w] = acc;
        }
      }
    }
    return y;
  }

  double[][][][] conv(double[][][][] x, String name, int stride, int pad) {
    INDArray w = weights.get(name + ".weight");
    return conv(x, vec(name + ".weight"), vec(name + ".bias"), (int) w.size(0), (int) w.size(2), stride, pad, pad, pad, pad);
  }

  double[][][][] norm(double[][][][] x, String name) {
    return groupNorm(x, vec(name + ".weight"), vec(name + ".bias"), config.normGroups(), VqganConfig.NORM_EPS);
  }

  double[][][][] resnet(double[][][][] x, String name) {
    double[][][][] h = conv(swish(norm(x, name + ".norm1")), name + ".conv1", 1, 1);
    h = conv(swish(norm(h, name + ".norm2")), name + ".conv2", 1, 1);
    double[][][][] shortcut = weights.contains(name + ".nin_shortcut.weight") ? conv(x, name + ".nin_shortcut", 1, 0) : x;
    return add(shortcut, h);
  }

  double[][][][] attn(double[][][][] x, String name) {
    double[][][][] h = norm(x, name + ".norm");
    double[][][][] a = attention(conv(h, name + ".q", 1, 0), conv(h, name + ".k", 1, 0), conv(h, name + ".v", 1, 0));
    return add(x, conv(a, name + ".proj_out", 1, 0));
  }

  double[][][][] downsample(double[][][][] x, String name) {
    INDArray w = weights.get(name + ".conv.weight");
    return conv(x, vec(name + ".conv.weight"), vec(name + ".conv.bias"), (int) w.size(0), 3, 2, 0, 0, 1, 1);
  }

  double[][][][] mid(double[][][][] x, String part) {
    double[][][][] h = resnet(x, part + ".mid.block_1");
    if (config.midAttention()) {
      h = attn(h, part + ".mid.attn_1");
    }
    return resnet(h, part + ".mid.block_2");
  }

  /** quant_conv(Encoder(x)): the vectors that are quantized. */
  double[][][][] latents(double[][][][] x) {
    double[][][][] h = conv(x, "encoder.conv_in", 1, 1);
    for (int level = 0; level < config.levels(); level++) {
      for (int j = 0; j < config.numResBlocks(); j++) {
        h = resnet(h, "encoder.down." + level + ".block." + j);
        if (config.attentionAt(level)) {
          h = attn(h, "encoder.down." + level + ".attn." + j);
        }
      }
      if (level != config.levels() - 1) {
        h = downsample(h, "encoder.down." + level + ".downsample");
      }
    }
    h = mid(h, "encoder");
    h = conv(swish(norm(h, "encoder.norm_out")), "encoder.conv_out", 1, 1);
    return conv(h, "quant_conv", 1, 0);
  }

  /** Decoder(post_quant_conv(z)), unclipped. */
  double[][][][] decode(double[][][][] quantized) {
    double[][][][] h = conv(conv(quantized, "post_quant_conv", 1, 0), "decoder.conv_in", 1, 1);
    h = mid(h, "decoder");
    for (int level = config.levels() - 1; level >= 0; level--) {
      for (int j = 0; j <= config.numResBlocks(); j++) {
        h = resnet(h, "decoder.up." + level + ".block." + j);
        if (config.attentionAt(level)) {
          h = attn(h, "decoder.up." + level + ".attn." + j);
        }
      }
      if (level != 0) {
        h = conv(nearestUpsample(h), "decoder.up." + level + ".upsample.conv", 1, 1);
      }
    }
    return conv(swish(norm(h, "decoder.norm_out")), "decoder.conv_out", 1, 1);
  }

  /** Largest |a - b| and where, for assertion messages. */
  static double maxDiff(double[][][][] expected, INDArray actual, StringBuilder where) {
    double[][][][] got = of(actual);
    double max = 0;
    for (int b = 0; b < expected.length; b++) {
      for (int c = 0; c < expected[b].length; c++) {
        for (int i = 0; i < expected[b][c].length; i++) {
          for (int j = 0; j < expected[b][c][i].length; j++) {
            double d = Math.abs(expected[b][c][i][j] - got[b][c][i][j]);
            if (!(d <= max)) {
              max = d;
              where.setLength(0);
              where.append("[").append(b).append(",").append(c).append(",").append(i).append(",").append(j).append("] expected ")
                  .append(expected[b][c][i][j]).append(" got ").append(got[b][c][i][j]);
            }
          }
        }
      }
    }
    return max;
  }

  static double maxAbs(double[][][][] a) {
    double m = 0;
    for (double[][][] b : a) {
      for (double[][] c : b) {
        for (double[] r : c) {
          for (double v : r) {
            m = Math.max(m, Math.abs(v));
          }
        }
      }
    }
    return m;
  }
}
