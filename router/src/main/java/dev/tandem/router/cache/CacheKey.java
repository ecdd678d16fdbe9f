package dev.tandem.router.cache;

import dev.tandem.speccore.SamplingParams;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

/**
 * Cache keys: SHA-256 over a canonical encoding of everything that decides a deterministic
 * request's output, and nothing else.
 *
 * <ul>
 *   <li><b>Scope</b> (what two requests must share for either cache to match): tenant, tier and the
 *       model behind it, the sampling parameters, max_tokens and the stop sequences. Greedy
 *       requests ignore top_p, top_k and the seed (argmax does not read them), so they are left
 *       out; a seeded sampled request keys on all four. Stop sequences are a set: order and repeats
 *       do not change where a stream stops.
 *   <li><b>Exact key</b>: the scope plus the prompt exactly as the model reads it (chat messages
 *       rendered with the chat template). Whitespace, case and Unicode form are not normalised:
 *       they change the tokens, and an exact hit must be the text the verifier would produce.
 * </ul>
 *
 * Fields are length-prefixed, so no two different inputs encode alike. Stateless.
 */
public final class CacheKey {

  private CacheKey() {}

  /** The scope of a request (hex, 128 bits). */
  public static String scope(
      String tenant,
      String tier,
      String model,
      SamplingParams sampling,
      int maxTokens,
      List<String> stop) {
    StringBuilder b = new StringBuilder("tandem-cache-v1");
    field(b, tenant);
    field(b, tier);
    field(b, model);
    field(b, sampling(sampling));
    field(b, Integer.toString(maxTokens));
    TreeSet<String> stops = new TreeSet<>(stop);
    field(b, Integer.toString(stops.size()));
    stops.forEach(s -> field(b, s));
    return sha256(b.toString());
  }

  /** The exact key of {@code prompt} (the rendered text) within {@code scope} (hex, 128 bits). */
  public static String exact(String scope, String prompt) {
    StringBuilder b = new StringBuilder(scope);
    field(b, prompt);
    return sha256(b.toString());
  }

  /** Greedy decoding reads nothing but argmax; sampling reads all four parameters. */
  static String sampling(SamplingParams s) {
    if (s.isGreedy()) {
      return "greedy";
    }
    return "t="
        + Integer.toHexString(Float.floatToIntBits(s.temperature()))
        + ",p="
        + Integer.toHexString(Float.floatToIntBits(s.topP()))
        + ",k="
        + s.topK()
        + ",seed="
        + s.seed();
  }

  private static void field(StringBuilder b, String value) {
    b.append('|').append(value.length()).append(':').append(value);
  }

  private static String sha256(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
