package dev.tandem.streaming;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * Turns token ids into text as they arrive without ever emitting broken UTF-8: a token may end in
 * the middle of a multi-byte character (byte-level BPE splits them freely), so the bytes of an
 * incomplete trailing character are held back until the token that completes it arrives.
 *
 * <p>The concatenation of everything {@link #push} and {@link #finish} return equals a lossy UTF-8
 * decode of all the tokens' bytes at once: malformed bytes become U+FFFD, as the Hugging Face
 * byte-level decoder does.
 *
 * <p>Not thread-safe: one instance per stream, called by that stream's loop only.
 */
public final class IncrementalDetokenizer {

  private final IntFunction<byte[]> tokenBytes;
  private byte[] pending = new byte[16];
  private int pendingLength;

  /**
   * @param tokenBytes the raw bytes each token id stands for (e.g. {@code Tokenizer::tokenBytes})
   */
  public IncrementalDetokenizer(IntFunction<byte[]> tokenBytes) {
    this.tokenBytes = tokenBytes;
  }

  /** Adds tokens and returns the text that is now complete (possibly empty). */
  public String push(int[] tokens) {
    for (int token : tokens) {
      append(tokenBytes.apply(token));
    }
    int complete = completePrefixLength();
    String text = decode(0, complete);
    System.arraycopy(pending, complete, pending, 0, pendingLength - complete);
    pendingLength -= complete;
    return text;
  }

  /** Returns whatever is still held back (an incomplete character decodes to U+FFFD). */
  public String finish() {
    String text = decode(0, pendingLength);
    pendingLength = 0;
    return text;
  }

  private void append(byte[] bytes) {
    if (pendingLength + bytes.length > pending.length) {
      pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + bytes.length));
    }
    System.arraycopy(bytes, 0, pending, pendingLength, bytes.length);
    pendingLength += bytes.length;
  }

  /**
   * Length of the prefix that can be decoded now: everything but a trailing lead byte and its
   * continuation bytes when fewer continuation bytes than the lead byte announces have arrived.
   */
  private int completePrefixLength() {
    int limit = Math.max(0, pendingLength - 3);
    for (int i = pendingLength - 1; i >= limit; i--) {
      int b = pending[i] & 0xFF;
      if ((b & 0xC0) == 0x80) {
        continue; // continuation byte: keep looking for its lead byte
      }
      int needed = sequenceLength(b);
      return i + needed > pendingLength ? i : pendingLength;
    }
    return pendingLength;
  }

  /** Bytes in the UTF-8 sequence that starts with {@code lead}; 1 for ASCII or invalid leads. */
  private static int sequenceLength(int lead) {
    if (lead >= 0xF0 && lead <= 0xF4) {
      return 4;
    }
    if (lead >= 0xE0) {
      return lead <= 0xEF ? 3 : 1;
    }
    if (lead >= 0xC2) {
      return 2;
    }
    return 1;
  }

  /**
   * The String constructor replaces malformed input as a lossy decoder does, and allocates only the
   * string (this runs once per chunk): no byte or char buffers.
   */
  private String decode(int from, int to) {
    return to <= from ? "" : new String(pending, from, to - from, StandardCharsets.UTF_8);
  }
}
