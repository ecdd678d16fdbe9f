package dev.tandem.router.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random-hyperplane LSH: the same vector always lands in the same buckets, near vectors share a
 * bucket with the probability theory gives, unrelated ones rarely do. Seeded, so the counts below
 * are exact for this seed; the bounds are the analytic expectations with wide margins (8 tables of
 * 12 bits: cosine 0.98 shares a bucket with p = 1 − (1 − (1 − θ/π)^12)^8 ≈ 0.99; orthogonal vectors
 * with p = 1 − (1 − 2^−12)^8 ≈ 0.002).
 */
class LshIndexTest {

  static final int DIM = 256;

  static float[] unit(SplittableRandom r) {
    double[] v = new double[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = r.nextDouble() - 0.5;
    }
    return Embedder.normalise(v);
  }

  /** A unit vector at cosine {@code cos} from {@code a}. */
  static float[] at(float[] a, double cos, SplittableRandom r) {
    float[] noise = unit(r);
    double dot = Embedder.cosine(a, noise);
    double[] orth = new double[DIM];
    for (int i = 0; i < DIM; i++) {
      orth[i] = noise[i] - dot * a[i];
    }
    float[] o = Embedder.normalise(orth);
    double sin = Math.sqrt(1 - cos * cos);
    double[] v = new double[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = cos * a[i] + sin * o[i];
    }
    return Embedder.normalise(v);
  }

  static boolean share(LshIndex index, float[] a, float[] b) {
    Set<String> keys = new HashSet<>(index.bucketKeys("s", a));
    return index.bucketKeys("s", b).stream().anyMatch(keys::contains);
  }

  @Test
  void theSameVectorAlwaysGetsTheSameBucketsAndEveryRouterBuildsTheSamePlanes() {
    SplittableRandom r = new SplittableRandom(1);
    float[] v = unit(r);
    LshIndex a = new LshIndex(DIM, 8, 12);
    LshIndex b = new LshIndex(DIM, 8, 12);
    assertArrayEquals(a.signatures(v), b.signatures(v));
    assertEquals(8, a.bucketKeys("scope", v).size());
    assertTrue(a.bucketKeys("scope", v).getFirst().startsWith("scope:8x12:0:"));
  }

  @Test
  void nearVectorsShareABucketAndUnrelatedOnesAlmostNever() {
    LshIndex index = new LshIndex(DIM, 8, 12);
    SplittableRandom r = new SplittableRandom(42);
    int near = 0;
    int far = 0;
    int trials = 500;
    for (int i = 0; i < trials; i++) {
      float[] a = unit(r);
      if (share(index, a, at(a, 0.98, r))) {
        near++;
      }
      if (share(index, a, at(a, 0.0, r))) {
        far++;
      }
    }
    assertTrue(near >= trials * 0.95, near + " of " + trials + " near pairs shared a bucket");
    assertTrue(far <= trials * 0.02, far + " of " + trials + " orthogonal pairs shared a bucket");
  }

  @Test
  void bucketKeysAreScoped() {
    LshIndex index = new LshIndex(DIM, 2, 4);
    float[] v = unit(new SplittableRandom(3));
    List<String> a = index.bucketKeys("tenant-a", v);
    List<String> b = index.bucketKeys("tenant-b", v);
    assertTrue(a.stream().noneMatch(b::contains));
  }
}
