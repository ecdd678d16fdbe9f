package dev.tandem.bench.cost;

import java.util.List;
import java.util.Locale;

/**
 * The two tiers a routing evaluation compares: the model each serves from and its price per token.
 * Only the price ratio matters to the figures (cost is reported as a fraction of always-the-
 * capable-tier). The prompt signals come from the drafter's model (the fixture draft) whichever
 * pair is compared, as the router computes them.
 *
 * @param small the cheap tier
 * @param large the capable tier
 */
record TierPair(Tier small, Tier large) {

  /**
   * A fixture tier: name, model directory (relative to the repository root), USD per token. Prices
   * are proportional to the models' parameters, rounded: tiny 205,120 / 4,196,608 = 0.049 → 0.05;
   * small 656,000 / 4,196,608 = 0.156 → 0.15.
   */
  record Tier(String name, String model, double price) {}

  static final Tier TINY = new Tier("tiny", "fixtures/models/tandem-tiny", 0.0001 / 1000);
  static final Tier SMALL = new Tier("small", "fixtures/models/tandem-draft", 0.0003 / 1000);
  static final Tier LARGE = new Tier("large", "fixtures/models/tandem-verifier", 0.002 / 1000);
  static final List<Tier> TIERS = List.of(TINY, SMALL, LARGE);

  /** The embedded default's pair. */
  static final TierPair SMALL_LARGE = new TierPair(SMALL, LARGE);

  TierPair {
    if (!(small.price() < large.price())) {
      throw new IllegalArgumentException(
          "--pair: " + small.name() + " must be cheaper than " + large.name());
    }
  }

  /** The pair by its tier names, cheap one first, e.g. {@code tiny,large}. */
  static TierPair named(String names) {
    String[] two = names.split(",");
    if (two.length != 2) {
      throw new IllegalArgumentException("--pair must be two tier names, got " + names);
    }
    return new TierPair(tier(two[0].trim()), tier(two[1].trim()));
  }

  private static Tier tier(String name) {
    return TIERS.stream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "--pair: tiers are "
                        + TIERS.stream().map(Tier::name).toList()
                        + ", got "
                        + name));
  }

  double priceSmall() {
    return small.price();
  }

  double priceLarge() {
    return large.price();
  }

  /** The routing curves of this pair over {@code cases} (scored on this pair). */
  RoutingCurve curve(List<ScoredCase> cases) {
    return new RoutingCurve(cases, small.price(), large.price());
  }

  /** File-name stem of this pair's outputs: "routing" for the default pair, else with the names. */
  String stem() {
    return equals(SMALL_LARGE) ? "routing" : "routing-" + small.name() + "-" + large.name();
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "%s (%s) vs %s (%s), price ratio %.2f",
        small.name(),
        small.model(),
        large.name(),
        large.model(),
        small.price() / large.price());
  }
}
