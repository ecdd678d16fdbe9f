package dev.tandem.speccore;

import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Collects what a {@link SpeculationLoop} needs; {@link #build()} validates it. Not thread-safe;
 * build on one thread.
 */
public final class SpeculationLoopBuilder {

  /** Relative allowance for rounding in the spend limit's comparison ({@link #affordableK}). */
  static final double SPEND_ROUNDING = 1e-9;

  DraftSession draft;
  VerifierSession verifier;
  TokenSink sink;
  DraftLengthChooser chooser = DraftLengthChooser.off();
  RequestAcceptance acceptance;
  int maxTokens;

  /**
   * Distinct; looked up for every emitted token, so kept unboxed (a scan over one to a few ids).
   */
  private int[] eosTokens = new int[0];

  LongSupplier clock = System::nanoTime;
  boolean keepSteps = true;
  Prices spendPrices = Prices.FREE;
  double maxSpend = Double.POSITIVE_INFINITY;

  SpeculationLoopBuilder() {}

  /** The request's drafting session (required); the loop closes it. */
  public SpeculationLoopBuilder draft(DraftSession session) {
    this.draft = session;
    return this;
  }

  /** The request's verifier session, already opened (required); the loop closes it. */
  public SpeculationLoopBuilder verifier(VerifierSession session) {
    this.verifier = session;
    return this;
  }

  /** Where tokens go (required). */
  public SpeculationLoopBuilder sink(TokenSink sink) {
    this.sink = sink;
    return this;
  }

  /** Picks k per step; default {@link DraftLengthChooser#off()}. */
  public SpeculationLoopBuilder chooser(DraftLengthChooser chooser) {
    this.chooser = chooser;
    return this;
  }

  /**
   * The request's acceptance estimate, fed after every step; default a fresh one over {@link
   * AcceptanceStats#withDefaults()} shared with nothing.
   */
  public SpeculationLoopBuilder acceptance(RequestAcceptance acceptance) {
    this.acceptance = acceptance;
    return this;
  }

  /** The most tokens to generate, {@code >= 1} (required). */
  public SpeculationLoopBuilder maxTokens(int maxTokens) {
    this.maxTokens = maxTokens;
    return this;
  }

  /** Tokens that end the sequence (not emitted); default none. */
  public SpeculationLoopBuilder eosTokens(int... eosTokens) {
    for (int i = 0; i < eosTokens.length; i++) {
      for (int j = 0; j < i; j++) {
        if (eosTokens[i] == eosTokens[j]) {
          throw new IllegalArgumentException(
              "eosTokens must be distinct, got " + Arrays.toString(eosTokens));
        }
      }
    }
    this.eosTokens = eosTokens.clone();
    return this;
  }

  /** Source of nanosecond timestamps for step latencies; default {@link System#nanoTime()}. */
  public SpeculationLoopBuilder clock(LongSupplier clock) {
    this.clock = clock;
    return this;
  }

  /**
   * Whether {@link LoopResult#steps()} lists every step (default true). Servers turn it off: a
   * request would otherwise keep one record per step alive until it ends, memory the garbage
   * collector must copy for every stream in flight. Totals are kept either way.
   */
  public SpeculationLoopBuilder keepSteps(boolean keep) {
    this.keepSteps = keep;
    return this;
  }

  /**
   * A hard cap on what the loop spends (by {@link Prices#spent(LoopState)}): before each step k is
   * cut to the longest draft whose step still fits, and when not even a plain step (k = 0) fits the
   * loop ends with {@link FinishReason#BUDGET} instead. Default: no cap.
   *
   * @param maxSpend {@code >= 0}, in the prices' unit
   */
  public SpeculationLoopBuilder spendLimit(Prices prices, double maxSpend) {
    require(prices, "prices");
    if (!(maxSpend >= 0)) {
      throw new IllegalArgumentException("maxSpend must be >= 0, got " + maxSpend);
    }
    this.spendPrices = prices;
    this.maxSpend = maxSpend;
    return this;
  }

  /**
   * The longest k <= {@code wanted} whose step keeps the loop's spend within the limit, or -1 when
   * not even k = 0 fits. "Within" allows {@value #SPEND_ROUNDING} of the limit for floating-point
   * rounding: a limit computed as the worst case of the steps left (a reservation less the open)
   * and the same spend summed term by term differ in the last bits, and without the allowance about
   * a quarter of plain runs given exactly their worst case lost their last token.
   */
  int affordableK(LoopState state, int wanted) {
    if (Double.isInfinite(maxSpend)) {
      return wanted;
    }
    double limit = maxSpend * (1 + SPEND_ROUNDING);
    for (int k = wanted; k >= 0; k--) {
      double after =
          spendPrices.spent(
              state.verifierCalls() + 1,
              state.verifierPositionsScored() + k + 1,
              state.draftTokensProposed() + k);
      if (after <= limit) {
        return k;
      }
    }
    return -1;
  }

  /** A loop ready to {@link SpeculationLoop#start()}. */
  public SpeculationLoop build() {
    require(draft, "draft");
    require(verifier, "verifier");
    require(sink, "sink");
    require(chooser, "chooser");
    require(clock, "clock");
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
    }
    if (acceptance == null) {
      acceptance = AcceptanceStats.withDefaults().forRequest();
    }
    return new SpeculationLoop(this);
  }

  boolean isEos(int token) {
    for (int eos : eosTokens) {
      if (eos == token) {
        return true;
      }
    }
    return false;
  }

  private static void require(Object value, String field) {
    if (value == null) {
      throw new IllegalArgumentException(field + " must be set");
    }
  }
}
