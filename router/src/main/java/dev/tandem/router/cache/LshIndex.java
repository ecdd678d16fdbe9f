package dev.tandem.router.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random-hyperplane locality-sensitive hashing (Charikar 2002): each of {@code tables} tables draws
 * {@code bits} random hyperplanes; a vector's signature in a table is the side of each plane it
 * lies on. Two vectors at angle θ agree on one bit with probability 1 − θ/π, so near-duplicates
 * share a bucket in some table with high probability while unrelated prompts rarely do. A lookup
 * reads the ids in the query's {@code tables} buckets and compares only those exactly (cosine), so
 * the index lives on plain key → set-of-ids structures (a Caffeine map, or Redis sets).
 *
 * <p>The planes come from a fixed seed, so every router builds the same index. Immutable and
 * thread-safe.
 */
public final class LshIndex {

  private final int tables;
  private final int bits;
  private final float[][][] planes; // [tables][bits][dimension]

  /**
   * @param dimension the embedder's dimension
   * @param tables independent tables (more: higher recall, more buckets read)
   * @param bits hyperplanes per table, 1..63 (more: smaller buckets, lower recall)
   */
  public LshIndex(int dimension, int tables, int bits) {
    if (tables < 1 || bits < 1 || bits > 63) {
      throw new IllegalArgumentException(
          "tables must be >= 1 and bits in 1..63, got " + tables + ", " + bits);
    }
    this.tables = tables;
    this.bits = bits;
    this.planes = new float[tables][bits][dimension];
    SplittableRandom random = new SplittableRandom(0x7a6e_d3c0_5eedL ^ dimension);
    for (float[][] table : planes) {
      for (float[] plane : table) {
        for (int i = 0; i < dimension; i++) {
          plane[i] = (float) gaussian(random);
        }
      }
    }
  }

  private static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble(); // (0, 1]
    double w = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
  }

  /** The vector's signature in each table. */
  public long[] signatures(float[] v) {
    long[] out = new long[tables];
    for (int t = 0; t < tables; t++) {
      long signature = 0;
      for (int b = 0; b < bits; b++) {
        float[] plane = planes[t][b];
        double dot = 0;
        for (int i = 0; i < v.length; i++) {
          dot += plane[i] * v[i];
        }
        signature = (signature << 1) | (dot >= 0 ? 1 : 0);
      }
      out[t] = signature;
    }
    return out;
  }

  /** The store keys of the vector's buckets within {@code scope}: one per table. */
  public List<String> bucketKeys(String scope, float[] v) {
    long[] signatures = signatures(v);
    List<String> keys = new ArrayList<>(tables);
    for (int t = 0; t < tables; t++) {
      keys.add(scope + ":" + tables + "x" + bits + ":" + t + ":" + Long.toHexString(signatures[t]));
    }
    return keys;
  }

  public int tables() {
    return tables;
  }

  public int bits() {
    return bits;
  }
}
