package dev.tandem.router.cache;

/**
 * Maps a prompt to a unit vector whose cosine with another prompt's says how alike they are.
 *
 * <p>Threading: {@link #embed} may block (a model forward) and is called on worker threads only,
 * never on an event loop; implementations are thread-safe.
 */
public interface Embedder {

  /** Identifies the vector space: vectors of different embedders are never compared. */
  String name();

  /** Length of every vector. */
  int dimension();

  /** The prompt's embedding, L2-normalised (the zero vector only for a prompt with no features). */
  float[] embed(String text);

  /** Cosine similarity of two unit vectors of one embedder. */
  static double cosine(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("vectors of " + a.length + " and " + b.length + " dims");
    }
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
    }
    return dot;
  }

  /** Scales {@code v} to unit length in place (a zero vector stays zero). */
  static float[] normalise(double[] v) {
    double norm = 0;
    for (double x : v) {
      norm += x * x;
    }
    float[] out = new float[v.length];
    if (norm == 0) {
      return out;
    }
    double scale = 1 / Math.sqrt(norm);
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] * scale);
    }
    return out;
  }
}
