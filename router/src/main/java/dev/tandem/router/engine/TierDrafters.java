package dev.tandem.router.engine;

import dev.tandem.speccore.DraftProposer;
import java.util.Map;
import java.util.TreeSet;

/**
 * The drafters requests may use on one tier, by name ({@code model}, {@code ngram}, {@code none}),
 * and the one "auto" means there.
 */
public record TierDrafters(Map<String, DraftProposer> byName, String defaultName) {

  public TierDrafters {
    byName = Map.copyOf(byName);
    if (!byName.containsKey(defaultName)) {
      throw new IllegalArgumentException(
          "default drafter " + defaultName + " is not among " + new TreeSet<>(byName.keySet()));
    }
  }
}
