package dev.tandem.router.grpc;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * Encodes a text delta chunk (a {@code GenerateChunk} with {@code text} and {@code token_ids} only)
 * straight into the buffer Vert.x sends: the bytes {@code ProtoMapper.delta(...).toByteArray()}
 * gives, without the message, its builder, its token list, a protobuf encoder and the byte array
 * Vert.x would copy again. This runs once per chunk of every stream; {@link ProtoMapper#delta}
 * stays the reference (and the JSON wire format's path), and a test holds the two to the same
 * bytes.
 *
 * <p>Wire format (proto3): field 1 {@code text}, length-delimited UTF-8, left out when empty; field
 * 2 {@code token_ids}, {@code repeated uint32}, packed, left out when empty.
 *
 * <p>Threading: any thread; each keeps a scratch array of its own.
 */
final class DeltaEncoder {

  private static final int TEXT_TAG = 1 << 3 | 2; // field 1, wire type 2 (length-delimited)
  private static final int TOKEN_IDS_TAG = 2 << 3 | 2; // field 2, packed

  private DeltaEncoder() {}

  /**
   * Each event loop's scratch for one chunk's bytes, which are then appended to the buffer in one
   * copy: appending them to the buffer byte by byte checked the buffer's bounds and reference count
   * for every byte (3 % of the event loops' time at 500 streams, BENCHMARKS.md).
   */
  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[512]);

  /** Chunks larger than this are encoded into an array of their own, not kept as scratch. */
  private static final int MAX_SCRATCH = 64 * 1024;

  /** The chunk's protobuf bytes; token ids only when {@code withTokenIds}. */
  static Buffer encode(String text, int[] tokens, boolean withTokenIds) {
    byte[] utf8 = text.isEmpty() ? null : text.getBytes(StandardCharsets.UTF_8);
    int idsLength = 0;
    if (withTokenIds) {
      for (int token : tokens) {
        idsLength += varintSize(token);
      }
    }
    int size =
        (utf8 == null ? 0 : 1 + varintSize(utf8.length) + utf8.length)
            + (idsLength == 0 ? 0 : 1 + varintSize(idsLength) + idsLength);
    byte[] out = scratch(size);
    int at = 0;
    if (utf8 != null) {
      out[at++] = (byte) TEXT_TAG;
      at = putVarint(out, at, utf8.length);
      System.arraycopy(utf8, 0, out, at, utf8.length);
      at += utf8.length;
    }
    if (idsLength > 0) {
      out[at++] = (byte) TOKEN_IDS_TAG;
      at = putVarint(out, at, idsLength);
      for (int token : tokens) {
        at = putVarint(out, at, token);
      }
    }
    return Buffer.buffer(size).appendBytes(out, 0, size);
  }

  private static byte[] scratch(int size) {
    if (size > MAX_SCRATCH) {
      return new byte[size];
    }
    byte[] scratch = SCRATCH.get();
    if (scratch.length < size) {
      scratch = new byte[Integer.highestOneBit(size - 1) << 1];
      SCRATCH.set(scratch);
    }
    return scratch;
  }

  /** Bytes of {@code value} as an unsigned 32-bit varint. */
  private static int varintSize(int value) {
    int bits = 32 - Integer.numberOfLeadingZeros(value);
    return Math.max(1, (bits + 6) / 7);
  }

  /** Writes {@code value} as an unsigned varint at {@code at}; returns the index after it. */
  private static int putVarint(byte[] out, int at, int value) {
    while ((value & ~0x7F) != 0) {
      out[at++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out[at++] = (byte) value;
    return at;
  }
}
