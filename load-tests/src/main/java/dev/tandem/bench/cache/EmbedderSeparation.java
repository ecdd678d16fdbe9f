package dev.tandem.bench.cache;

import dev.tandem.router.cache.Embedder;
import dev.tandem.router.cache.PromptFacts;
import dev.tandem.router.cache.SemanticGuard;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How well one embedder separates the cache workload's paraphrases (must hit) from its near misses
 * (must not): ROC AUC of the cosine, and per guard the paraphrase hit rate and false hits at a
 * threshold, plus the lowest threshold with no false hits. Pure arithmetic over the pairs' cosines.
 */
final class EmbedderSeparation {

  /** One pair's cosine and whether each guard lets it through. */
  record Scored(CachePair pair, double cosine, boolean facts, boolean terms) {
    boolean passes(SemanticGuard guard) {
      return switch (guard) {
        case OFF -> true;
        case FACTS -> facts;
        case TERMS -> terms;
      };
    }
  }

  private EmbedderSeparation() {}

  static List<Scored> score(Embedder embedder, List<CachePair> pairs) {
    List<Scored> scored = new ArrayList<>();
    for (CachePair p : pairs) {
      double cos = Embedder.cosine(embedder.embed(p.a()), embedder.embed(p.b()));
      PromptFacts a = PromptFacts.of(p.a());
      PromptFacts b = PromptFacts.of(p.b());
      scored.add(
          new Scored(
              p,
              cos,
              SemanticGuard.FACTS.reject(a, b).isEmpty(),
              SemanticGuard.TERMS.reject(a, b).isEmpty()));
    }
    return scored;
  }

  /** P(cosine of a paraphrase > cosine of a near miss), ties counting half. */
  static double auc(List<Scored> scored) {
    List<Double> pos = new ArrayList<>();
    List<Double> neg = new ArrayList<>();
    for (Scored s : scored) {
      if (s.pair().kind().equals("paraphrase")) {
        pos.add(s.cosine());
      } else if (s.pair().mustNotMatch()) {
        neg.add(s.cosine());
      }
    }
    double wins = 0;
    for (double p : pos) {
      for (double n : neg) {
        wins += p > n ? 1 : p == n ? 0.5 : 0;
      }
    }
    return wins / (pos.size() * (double) neg.size());
  }

  static double mean(List<Scored> scored, String kind) {
    return scored.stream()
        .filter(
            s -> kind.equals("must-not") ? s.pair().mustNotMatch() : s.pair().kind().equals(kind))
        .mapToDouble(Scored::cosine)
        .average()
        .orElse(Double.NaN);
  }

  /** Paraphrases that would hit at {@code threshold} with {@code guard}. */
  static long paraphraseHits(List<Scored> scored, double threshold, SemanticGuard guard) {
    return scored.stream()
        .filter(s -> s.pair().kind().equals("paraphrase"))
        .filter(s -> s.cosine() + 1e-6 >= threshold && s.passes(guard))
        .count();
  }

  /** Near misses that would hit (false hits) at {@code threshold} with {@code guard}. */
  static long falseHits(List<Scored> scored, double threshold, SemanticGuard guard) {
    return scored.stream()
        .filter(s -> s.pair().mustNotMatch())
        .filter(s -> s.cosine() + 1e-6 >= threshold && s.passes(guard))
        .count();
  }

  /** The lowest threshold (on a 0.01 grid) with no false hits under {@code guard}. */
  static double safeThreshold(List<Scored> scored, SemanticGuard guard) {
    for (int t = 0; t <= 100; t++) {
      if (falseHits(scored, t / 100.0, guard) == 0) {
        return t / 100.0;
      }
    }
    return 1.01;
  }

  static String row(String name, List<Scored> scored, double threshold) {
    StringBuilder b =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "| %s | %.3f | %.3f | %.3f | %.3f |",
                name,
                auc(scored),
                mean(scored, "paraphrase"),
                mean(scored, "must-not"),
                mean(scored, "exact")));
    for (SemanticGuard g : SemanticGuard.values()) {
      double safe = safeThreshold(scored, g);
      b.append(
          String.format(
              Locale.ROOT,
              " %d/12, %d/16 | %.2f → %d/12 |",
              paraphraseHits(scored, threshold, g),
              falseHits(scored, threshold, g),
              safe,
              paraphraseHits(scored, safe, g)));
    }
    return b.toString();
  }
}
