package dev.tandem.router.engine;

import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.errors.ErrorKind;
import dev.tandem.router.errors.TandemException;
import dev.tandem.speccore.AcceptanceStatsRegistry;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.streaming.ChunkWriter;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts generations: resolves the tier and the drafter of a validated request and hands it to a
 * {@link Generation}. Holds what outlives requests: tiers, drafters, acceptance statistics per
 * (drafter, verifier) pair.
 *
 * <p>Threading: {@link #start} is called on the request's event loop; the engine is otherwise
 * immutable and its statistics are thread-safe.
 */
public final class GenerationEngine {

  private final Map<String, Tier> tiers;
  private final String defaultTier;
  private final Map<String, DraftProposer> drafters;
  private final String defaultDrafter;
  private final SpeculationSettings speculation;
  private final AcceptanceStatsRegistry acceptance = new AcceptanceStatsRegistry();

  /**
   * @param tiers by name
   * @param defaultTier the tier "auto" resolves to
   * @param drafters by name ("model", "ngram", "none"): the ones configured
   * @param defaultDrafter the drafter "auto" resolves to
   * @param speculation k_max, default mode, draft price
   */
  public GenerationEngine(
      Map<String, Tier> tiers,
      String defaultTier,
      Map<String, DraftProposer> drafters,
      String defaultDrafter,
      SpeculationSettings speculation) {
    if (!tiers.containsKey(defaultTier)) {
      throw new IllegalArgumentException(
          "default tier " + defaultTier + " is not among " + tiers.keySet());
    }
    if (!drafters.containsKey(defaultDrafter)) {
      throw new IllegalArgumentException(
          "default drafter " + defaultDrafter + " is not among " + drafters.keySet());
    }
    this.tiers = Map.copyOf(tiers);
    this.defaultTier = defaultTier;
    this.drafters = Map.copyOf(drafters);
    this.defaultDrafter = defaultDrafter;
    this.speculation = speculation;
  }

  /** Model ids a client may ask for: each tier and "auto". */
  public List<String> modelIds() {
    List<String> ids = new ArrayList<>(tiers.keySet());
    ids.sort(null);
    ids.add("auto");
    return ids;
  }

  /** Acceptance statistics by (drafter, verifier) pair. */
  public AcceptanceStatsRegistry acceptance() {
    return acceptance;
  }

  /**
   * Starts a generation whose chunks go to {@code writer} on {@code context}.
   *
   * @throws TandemException NOT_FOUND for an unknown model, INVALID_ARGUMENT for an unknown or
   *     unconfigured drafter
   */
  public GenerationHandle start(GenerationRequest request, Context context, ChunkWriter writer) {
    Tier tier = tier(request.model());
    String drafterName = request.speculation().drafter();
    if (drafterName.equals("auto")) {
      drafterName = defaultDrafter;
    }
    DraftProposer drafter = drafters.get(drafterName);
    if (drafter == null) {
      throw TandemException.invalid(
          "speculation.drafter",
          "speculation.drafter must be one of "
              + new java.util.TreeSet<>(drafters.keySet())
              + " here, got "
              + drafterName);
    }
    Generation generation =
        new Generation(request, tier, drafter, speculation, acceptance, context, writer);
    generation.start();
    return generation;
  }

  private Tier tier(String model) {
    String name = model.equals("auto") ? defaultTier : model;
    Tier tier = tiers.get(name);
    if (tier == null) {
      throw new TandemException(
          ErrorKind.NOT_FOUND,
          "model",
          "model must be one of " + modelIds() + ", got " + model,
          null);
    }
    return tier;
  }
}
