package dev.tandem.router.routing;

/** What happens when no tier can meet a request's cost budget. */
public enum BudgetMissPolicy {
  /**
   * Serve on the cheapest allowed tier with plain decoding (k = 0); the budget still caps spend.
   */
  DEGRADE,
  /** Refuse up front, saying what the cheapest option would cost. */
  REFUSE
}
