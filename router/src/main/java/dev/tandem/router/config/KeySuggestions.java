package dev.tandem.router.config;

import java.util.Collection;
import java.util.Optional;

/**
 * "Did you mean" for unknown config keys: the known key at the smallest edit distance. Stateless.
 */
final class KeySuggestions {

  private KeySuggestions() {}

  /** The known key within edit distance max(2, length / 3) of {@code key}, if any. */
  static Optional<String> nearest(String key, Collection<String> known) {
    String best = null;
    int bestDistance = Math.max(2, key.length() / 3) + 1;
    for (String candidate : known) {
      int distance = distance(key, candidate);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
