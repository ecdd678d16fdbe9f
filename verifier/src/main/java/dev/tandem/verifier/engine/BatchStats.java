package dev.tandem.verifier.engine;

/**
 * Counters of a {@link SessionEngine}'s batched forwards since it started.
 *
 * @param batches forwards run
 * @param items session calls (opens and verifies) served by them
 * @param rows token rows scored by them
 */
public record BatchStats(long batches, long items, long rows) {

  /** Mean session calls per forward. */
  public double meanItemsPerBatch() {
    return batches == 0 ? 0 : (double) items / batches;
  }
}
