package dev.tandem.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.tandem.model.format.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face {@code tokenizer.json}, encoded and decoded by DJL's binding of the Rust {@code
 * tokenizers} library (so ids match HF exactly), plus {@link #tokenBytes(int)}: the raw bytes a
 * token stands for, which an incremental UTF-8-safe detokenizer needs (a byte-level BPE token may
 * be half a character).
 *
 * <p>Token bytes: for ByteLevel tokenizers (GPT-2 style) the vocabulary string is mapped back
 * through GPT-2's byte-to-unicode table; otherwise {@code <0xNN>} byte-fallback tokens give their
 * byte and {@code ▁} becomes a space (SentencePiece style). Special (added) tokens give the UTF-8
 * of their content.
 *
 * <p>Thread-safe: encode and decode may be called from any thread (the native tokenizer is
 * immutable once loaded), including event loops for short texts.
 */
public final class Tokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer hf;
  private final byte[][] bytes; // [id] -> raw bytes, null for ids the vocabulary does not define
  private final Set<Integer> special;
  private final int bosTokenId;
  private final int eosTokenId;

  private Tokenizer(
      HuggingFaceTokenizer hf,
      byte[][] bytes,
      Set<Integer> special,
      int bosTokenId,
      int eosTokenId) {
    this.hf = hf;
    this.bytes = bytes;
    this.special = special;
    this.bosTokenId = bosTokenId;
    this.eosTokenId = eosTokenId;
  }

  /**
   * Loads {@code tokenizer.json}: a {@code .json} file, or a model directory holding one.
   *
   * @throws NoSuchFileException naming the path when there is no tokenizer.json
   */
  public static Tokenizer load(Path path) throws IOException {
    Path file = path.toString().endsWith(".json") ? path : path.resolve("tokenizer.json");
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null, "tokenizer file not found");
    }
    Map<?, ?> json = (Map<?, ?>) Json.parse(Files.readString(file), file.toString());
    Set<Integer> special = new HashSet<>();
    byte[][] bytes = TokenBytes.table(json, special, file);
    Map<?, ?> config = tokenizerConfig(file.resolveSibling("tokenizer_config.json"));
    int bos = TokenBytes.idOf(json, config.get("bos_token"));
    int eos = TokenBytes.idOf(json, config.get("eos_token"));
    HuggingFaceTokenizer hf =
        HuggingFaceTokenizer.newInstance(
            file, Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
    return new Tokenizer(hf, bytes, special, bos, eos);
  }

  private static Map<?, ?> tokenizerConfig(Path file) throws IOException {
    return Files.exists(file)
        ? (Map<?, ?>) Json.parse(Files.readString(file), file.toString())
        : Map.of();
  }

  /**
   * Id of the BOS token named by {@code tokenizer_config.json} next to tokenizer.json, -1 when none
   * is named. (The model's {@code config.json} ids are in {@link ModelConfig}.)
   */
  public int bosTokenId() {
    return bosTokenId;
  }

  /** Id of the EOS token named by {@code tokenizer_config.json}, -1 when none is named. */
  public int eosTokenId() {
    return eosTokenId;
  }

  /** Token ids of {@code text}, without adding BOS/EOS or other special tokens. */
  public int[] encode(String text) {
    long[] ids = hf.encode(text, false, false).getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = (int) ids[i];
    }
    return out;
  }

  /** Text of {@code ids}, special tokens included, as HF {@code decode} gives it. */
  public String decode(int[] ids) {
    long[] l = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      l[i] = ids[i];
    }
    return hf.decode(l, false);
  }

  /**
   * The raw bytes token {@code id} stands for (possibly an incomplete UTF-8 sequence). The result
   * is a fresh copy.
   *
   * @throws IllegalArgumentException when {@code id} is not in the tokenizer's vocabulary
   */
  public byte[] tokenBytes(int id) {
    if (id < 0 || id >= bytes.length || bytes[id] == null) {
      throw new IllegalArgumentException(
          "token id "
              + id
              + " is not in the tokenizer's vocabulary (ids 0.."
              + (bytes.length - 1)
              + ")");
    }
    return bytes[id].clone();
  }

  /** True when {@code id} is a special (added) token such as {@code <|endoftext|>}. */
  public boolean isSpecial(int id) {
    return special.contains(id);
  }

  /** One past the largest id the tokenizer defines. */
  public int vocabSize() {
    return bytes.length;
  }

  @Override
  public void close() {
    hf.close();
  }

  /** Builds the id → bytes table from the parsed tokenizer.json. */
  private static final class TokenBytes {
    static byte[][] table(Map<?, ?> json, Set<Integer> special, Path file) {
      Map<?, ?> model = (Map<?, ?>) json.get("model");
      if (model == null || !(model.get("vocab") instanceof Map<?, ?> vocab)) {
        throw new IllegalArgumentException(file + ": missing field model.vocab");
      }
      boolean byteLevel =
          mentionsByteLevel(json.get("decoder")) || mentionsByteLevel(json.get("pre_tokenizer"));
      int max = -1;
      for (Object id : vocab.values()) {
        max = Math.max(max, ((Number) id).intValue());
      }
      List<?> added = json.get("added_tokens") instanceof List<?> l ? l : List.of();
      for (Object a : added) {
        max = Math.max(max, ((Number) ((Map<?, ?>) a).get("id")).intValue());
      }
      byte[][] out = new byte[max + 1][];
      int[] unicodeToByte = ByteLevel.unicodeToByte();
      for (Map.Entry<?, ?> e : vocab.entrySet()) {
        String piece = (String) e.getKey();
        int id = ((Number) e.getValue()).intValue();
        out[id] = byteLevel ? ByteLevel.decode(piece, unicodeToByte) : sentencePiece(piece);
      }
      for (Object a : added) {
        Map<?, ?> t = (Map<?, ?>) a;
        int id = ((Number) t.get("id")).intValue();
        out[id] = ((String) t.get("content")).getBytes(StandardCharsets.UTF_8);
        if (Boolean.TRUE.equals(t.get("special"))) {
          special.add(id);
        }
      }
      return out;
    }

    /** Id of a token given as a string or {content: string}; -1 when absent or unknown. */
    static int idOf(Map<?, ?> json, Object token) {
      Object content = token instanceof Map<?, ?> m ? m.get("content") : token;
      if (!(content instanceof String name)) {
        return -1;
      }
      if (json.get("added_tokens") instanceof List<?> added) {
        for (Object a : added) {
          Map<?, ?> t = (Map<?, ?>) a;
          if (name.equals(t.get("content"))) {
            return ((Number) t.get("id")).intValue();
          }
        }
      }
      Object id = ((Map<?, ?>) ((Map<?, ?>) json.get("model")).get("vocab")).get(name);
      return id instanceof Number n ? n.intValue() : -1;
    }

    private static boolean mentionsByteLevel(Object component) {
      return component != null && component.toString().contains("ByteLevel");
    }

    private static byte[] sentencePiece(String piece) {
      if (piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")) {
        return new byte[] {(byte) Integer.parseInt(piece.substring(3, 5), 16)};
      }
      return piece.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
    }
  }
}
