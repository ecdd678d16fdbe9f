package dev.tandem.bench.router;

import dev.tandem.router.synthetic.SyntheticBackend;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongConsumer;

/**
 * When the synthetic backend released each result of each benchmark stream: release {@code i} of
 * stream {@code s} is the moment the verifier call that produced the stream's chunk {@code i} was
 * over (chunk 0 comes from the open call, chunk i from the i-th verify call). A stream is named by
 * its prompt, {@link #prompt(int)}; sessions with other prompts are not recorded.
 *
 * <p>Threading: written on the backend's timer thread, read once the streams are done; the arrays
 * are atomic so the reading thread sees every write made before the stream's last chunk.
 */
final class ReleaseLog implements SyntheticBackend.ReleaseListener {

  private static final String PREFIX = "overhead-stream ";
  private static final LongConsumer NOT_RECORDED = at -> {};

  private final int perStream;
  private final AtomicLongArray nanos;
  private final AtomicIntegerArray counts;

  /**
   * @param streams streams numbered 0..streams-1
   * @param perStream most releases recorded per stream
   */
  ReleaseLog(int streams, int perStream) {
    this.perStream = perStream;
    this.nanos = new AtomicLongArray(streams * perStream);
    this.counts = new AtomicIntegerArray(streams);
  }

  /** The prompt that names stream {@code stream} to the backend (one token per byte). */
  static String prompt(int stream) {
    return PREFIX + stream;
  }

  @Override
  public LongConsumer session(int[] prompt) {
    byte[] bytes = new byte[prompt.length];
    for (int i = 0; i < prompt.length; i++) {
      bytes[i] = (byte) prompt[i];
    }
    String text = new String(bytes, StandardCharsets.US_ASCII);
    if (!text.startsWith(PREFIX)) {
      return NOT_RECORDED;
    }
    int stream = Integer.parseInt(text.substring(PREFIX.length()));
    if (stream < 0 || stream >= counts.length()) {
      return NOT_RECORDED;
    }
    return at -> {
      int i = counts.get(stream);
      if (i < perStream) {
        nanos.set(stream * perStream + i, at);
        counts.set(stream, i + 1);
      }
    };
  }

  int count(int stream) {
    return counts.get(stream);
  }

  long releasedAt(int stream, int index) {
    return nanos.get(stream * perStream + index);
  }
}
