package dev.tandem.speccore;

/** What {@link SpeculationPolicy} optimises, and which per-token quantity its limit bounds. */
public enum Objective {
  /** Minimise expected time per token T(k) subject to expected cost per token C(k) <= limit. */
  MIN_LATENCY_WITHIN_COST,
  /** Minimise expected cost per token C(k) subject to expected time per token T(k) <= limit. */
  MIN_COST_WITHIN_LATENCY
}
