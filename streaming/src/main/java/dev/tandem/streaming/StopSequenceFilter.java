package dev.tandem.streaming;

import java.util.List;

/**
 * Cuts generated text at the first occurrence of any stop sequence. Text that could be the
 * beginning of a stop sequence is held back until it is known not to be one, so a stop sequence is
 * never sent, not even in part, and nothing after it either.
 *
 * <p>Not thread-safe: one instance per stream, called by that stream's loop only.
 */
public final class StopSequenceFilter {

  /** Most stop sequences a request may carry. */
  public static final int MAX_STOP_SEQUENCES = 4;

  /** Longest stop sequence accepted, in characters. */
  public static final int MAX_STOP_LENGTH = 256;

  /** What one {@link #push} lets through. */
  public record Result(String text, boolean stopped) {}

  private final List<String> stops;
  private final StringBuilder held = new StringBuilder();
  private boolean stopped;

  /**
   * @param stops 0..{@value #MAX_STOP_SEQUENCES} non-empty sequences of at most {@value
   *     #MAX_STOP_LENGTH} characters
   */
  public StopSequenceFilter(List<String> stops) {
    if (stops.size() > MAX_STOP_SEQUENCES) {
      throw new IllegalArgumentException(
          "stop must have at most " + MAX_STOP_SEQUENCES + " sequences, got " + stops.size());
    }
    for (int i = 0; i < stops.size(); i++) {
      String s = stops.get(i);
      if (s == null || s.isEmpty() || s.length() > MAX_STOP_LENGTH) {
        throw new IllegalArgumentException(
            "stop["
                + i
                + "] must have 1.."
                + MAX_STOP_LENGTH
                + " characters, got "
                + (s == null ? "null" : s.length()));
      }
    }
    this.stops = List.copyOf(stops);
  }

  /**
   * Adds newly decoded text; returns what may be sent now and whether a stop sequence matched (then
   * the text is everything before it and later pushes return nothing).
   */
  public Result push(String text) {
    if (stopped) {
      return new Result("", true);
    }
    if (stops.isEmpty()) {
      return new Result(text, false); // nothing to hold back: no copies (this runs per chunk)
    }
    held.append(text);
    int stopAt = firstStop();
    if (stopAt >= 0) {
      stopped = true;
      String before = held.substring(0, stopAt);
      held.setLength(0);
      return new Result(before, true);
    }
    int keep = longestSuffixThatPrefixesAStop();
    String out = held.substring(0, held.length() - keep);
    held.delete(0, held.length() - keep);
    return new Result(out, false);
  }

  /** At the end of generation: the held-back text, which turned out not to be a stop. */
  public String finish() {
    String out = stopped ? "" : held.toString();
    held.setLength(0);
    return out;
  }

  private int firstStop() {
    int first = -1;
    for (String stop : stops) {
      int at = held.indexOf(stop);
      if (at >= 0 && (first < 0 || at < first)) {
        first = at;
      }
    }
    return first;
  }

  private int longestSuffixThatPrefixesAStop() {
    String text = held.toString();
    int best = 0;
    for (String stop : stops) {
      int max = Math.min(stop.length() - 1, text.length());
      for (int len = max; len > best; len--) {
        if (text.regionMatches(text.length() - len, stop, 0, len)) {
          best = len;
          break;
        }
      }
    }
    return best;
  }
}
