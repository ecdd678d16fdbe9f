package dev.tandem.loadtests;

import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/** Tokens and requests over a whole run, for the line a simulation prints at its end. */
final class RunTotals {

  private final LongAdder tokens = new LongAdder();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private volatile long firstNanos;

  /** Thread-safe. */
  void add(int completionTokens, boolean ok) {
    if (firstNanos == 0) {
      firstNanos = System.nanoTime();
    }
    tokens.add(completionTokens);
    (ok ? succeeded : failed).increment();
  }

  String describe(String protocol) {
    double seconds = firstNanos == 0 ? 0 : (System.nanoTime() - firstNanos) / 1e9;
    return String.format(
        Locale.ROOT,
        "%s: %d requests succeeded, %d failed, %d completion tokens (%.0f tokens/s)",
        protocol,
        succeeded.sum(),
        failed.sum(),
        tokens.sum(),
        seconds > 0 ? tokens.sum() / seconds : 0);
  }
}
