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
 * <p>Stateless.
 */
final class DeltaEncoder {

  private static final int TEXT_TAG = 1 << 3 | 2; // field 1, wire type 2 (length-delimited)
  private static final int TOKEN_IDS_TAG = 2 << 3 | 2; // field 2, packed

  private DeltaEncoder() {}

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
    Buffer out = Buffer.buffer(size);
    if (utf8 != null) {
      out.appendByte((byte) TEXT_TAG);
      appendVarint(out, utf8.length);
      out.appendBytes(utf8);
    }
    if (idsLength > 0) {
      out.appendByte((byte) TOKEN_IDS_TAG);
      appendVarint(out, idsLength);
      for (int token : tokens) {
        appendVarint(out, token);
      }
    }
    return out;
  }

  /** Bytes of {@code value} as an unsigned 32-bit varint. */
  private static int varintSize(int value) {
    int bits = 32 - Integer.numberOfLeadingZeros(value);
    return Math.max(1, (bits + 6) / 7);
  }

  private static void appendVarint(Buffer out, int value) {
    while ((value & ~0x7F) != 0) {
      out.appendByte((byte) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.appendByte((byte) value);
  }
}
