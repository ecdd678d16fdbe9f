package dev.tandem.model;

/**
 * GPT-2's reversible byte ↔ printable-unicode map used by ByteLevel BPE vocabularies: printable
 * Latin-1 bytes map to themselves, the other 68 bytes to code points 256, 257, ... in byte order.
 */
final class ByteLevel {
  private ByteLevel() {}

  /** Code point → byte, -1 for code points that no byte maps to. Indexed up to 324. */
  static int[] unicodeToByte() {
    int[] table = new int[256 + 256];
    java.util.Arrays.fill(table, -1);
    int n = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      int cp = printable ? b : 256 + n++;
      table[cp] = b;
    }
    return table;
  }

  /** The bytes a ByteLevel vocabulary string stands for. */
  static byte[] decode(String piece, int[] unicodeToByte) {
    byte[] out = new byte[piece.length()];
    int len = 0;
    for (int i = 0; i < piece.length(); ) {
      int cp = piece.codePointAt(i);
      i += Character.charCount(cp);
      int b = cp < unicodeToByte.length ? unicodeToByte[cp] : -1;
      if (b < 0) {
        // not a byte-level character: keep its UTF-8 (tokens added to the vocab by hand)
        byte[] utf8 =
            new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out = java.util.Arrays.copyOf(out, out.length + utf8.length);
        System.arraycopy(utf8, 0, out, len, utf8.length);
        len += utf8.length;
      } else {
        out[len++] = (byte) b;
      }
    }
    return java.util.Arrays.copyOf(out, len);
  }
}
