package dev.tandem.router.cache;

import java.util.Locale;

/**
 * The default embedder, which needs no model: features hashed into a fixed number of signed
 * dimensions (the hashing trick), L2-normalised.
 *
 * <ul>
 *   <li>{@link Mode#TERMS} (the default): the prompt's content terms ({@link PromptFacts}: stop
 *       words and question framing dropped, synonyms folded, suffixes stripped), each as a word
 *       feature plus its character trigrams, and its numbers and negations as features of their
 *       own. Two phrasings of one question land on (nearly) the same vector.
 *   <li>{@link Mode#CHARS}: character 3- to 5-grams of the lower-cased text as it is, the textbook
 *       variant, measured against the other in {@code ./tandem bench cache}.
 * </ul>
 *
 * <p>Deterministic across JVMs (its own 64-bit FNV-1a hash), so routers sharing a store agree.
 * Stateless and thread-safe; cheap enough (microseconds per prompt) for a worker thread.
 */
public final class HashedNgramEmbedder implements Embedder {

  /** What features are hashed. */
  public enum Mode {
    TERMS,
    CHARS
  }

  private final int dimension;
  private final Mode mode;

  public HashedNgramEmbedder(int dimension, Mode mode) {
    if (dimension < 16) {
      throw new IllegalArgumentException("dimension must be >= 16, got " + dimension);
    }
    this.dimension = dimension;
    this.mode = mode;
  }

  /** The default: 1,024 dimensions over content terms. */
  public static HashedNgramEmbedder terms() {
    return new HashedNgramEmbedder(1024, Mode.TERMS);
  }

  @Override
  public String name() {
    return mode == Mode.TERMS ? "ngram-terms-" + dimension : "ngram-chars-" + dimension;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public float[] embed(String text) {
    double[] v = new double[dimension];
    switch (mode) {
      case TERMS -> addTerms(v, PromptFacts.of(text));
      case CHARS -> addCharGrams(v, text);
    }
    return Embedder.normalise(v);
  }

  private void addTerms(double[] v, PromptFacts facts) {
    for (String term : facts.terms()) {
      add(v, "w:" + term, 1.0);
      String padded = "<" + term + ">";
      int grams = Math.max(1, padded.length() - 2);
      for (int i = 0; i + 3 <= padded.length(); i++) {
        add(v, "c:" + padded.substring(i, i + 3), 0.7 / Math.sqrt(grams));
      }
    }
    for (String n : facts.numbers()) {
      add(v, "n:" + n, 1.0);
    }
    for (String neg : facts.negations()) {
      add(v, "not:" + neg, 1.0);
    }
  }

  private void addCharGrams(double[] v, String text) {
    String t = " " + text.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").trim() + " ";
    for (int n = 3; n <= 5; n++) {
      for (int i = 0; i + n <= t.length(); i++) {
        add(v, t.substring(i, i + n), 1.0);
      }
    }
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.signum(v[i]) * Math.sqrt(Math.abs(v[i])); // sublinear term frequency
    }
  }

  private void add(double[] v, String feature, double weight) {
    long h = fnv1a(feature);
    int index = (int) Long.remainderUnsigned(h >>> 1, dimension);
    v[index] += (h & 1) == 0 ? weight : -weight;
  }

  static long fnv1a(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33; // final mix: FNV's low bits are weak
    h *= 0xff51afd7ed558ccdL;
    return h ^ (h >>> 33);
  }
}
