package io.worldring.model.attention;

/**
 * Full-matrix causal attention in plain Java double loops: the reference the blockwise kernel is checked
 * against. Heads h uses key/value head h / (heads / kvHeads).
 */
final class NaiveAttention {
  private NaiveAttention() {}

  static boolean visible(int[] pos, int[] seg, int i, int j) {
    return pos[j] <= pos[i] && (seg == null || seg[i] == seg[j]);
  }

  /** Softmax probabilities [heads][tokens][tokens]. */
  static double[][][] probabilities(double[][][] q, double[][][] k, int[] pos, int[] seg, double scale) {
    int heads = q.length;
    int n = q[0].length;
    int group = heads / k.length;
    double[][][] p = new double[heads][n][n];
    for (int h = 0; h < heads; h++) {
      double[][] kh = k[h / group];
      for (int i = 0; i < n; i++) {
        double max = Double.NEGATIVE_INFINITY;
        double[] s = new double[n];
        for (int j = 0; j < n; j++) {
          if (!visible(pos, seg, i, j)) {
            continue;
          }
          double dot = 0;
          for (int d = 0; d < q[h][i].length; d++) {
            dot += q[h][i][d] * kh[j][d];
          }
          s[j] = dot * scale;
          max = Math.max(max, s[j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
          if (visible(pos, seg, i, j)) {
            p[h][i][j] = Math.exp(s[j] - max);
            sum += p[h][i][j];
          }
        }
        for (int j = 0; j < n; j++) {
          p[h][i][j] /= sum;
        }
      }
    }
    return p;
  }

  static double[][][] forward(double[][][] q, double[][][] k, double[][][] v, int[] pos, int[] seg, double scale) {
    double[][][] p = probabilities(q, k, pos, seg, scale);
    int heads = q.length;
    int n = q[0].length;
    int dim = q[0][0].length;
    int group = heads / k.length;
    double[][][] out = new double[heads][n][dim];
    for (int h = 0; h < heads; h++) {
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          for (int d = 0; d < dim; d++) {
            out[h][i][d] += p[h][i][j] * v[h / group][j][d];
          }
        }
      }
    }
    return out;
  }

  /** Returns {dq, dk, dv}. */
  static double[][][][] backward(double[][][] q, double[][][] k, double[][][] v, double[][][] dOut, int[] pos, int[] seg, double scale) {
    double[][][] p = probabilities(q, k, pos, seg, scale);
    int heads = q.length;
    int kvHeads = k.length;
    int n = q[0].length;
    int dim = q[0][0].length;
    int group = heads / kvHeads;
    double[][][] dq = new double[heads][n][dim];
    double[][][] dk = new double[kvHeads][n][dim];
    double[][][] dv = new double[kvHeads][n][dim];
    for (int h = 0; h < heads; h++) {
      int g = h / group;
      for (int i = 0; i < n; i++) {
        double[] dp = new double[n];
        double rowDot = 0;
        for (int j = 0; j < n; j++) {
          for (int d = 0; d < dim; d++) {
            dp[j] += dOut[h][i][d] * v[g][j][d];
            dv[g][j][d] += p[h][i][j] * dOut[h][i][d];
          }
          rowDot += p[h][i][j] * dp[j];
        }
        for (int j = 0; j < n; j++) {
          double ds = p[h][i][j] * (dp[j] - rowDot) * scale;
          for (int d = 0; d < dim; d++) {
            dq[h][i][d] += ds * k[g][j][d];
            dk[g][j][d] += ds * q[h][i][d];
          }
        }
      }
    }
    return new double[][][][] {dq, dk, dv};
  }
}
