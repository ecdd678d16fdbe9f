package dev.tandem.router.cache;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A {@link CacheEntry} as JSON, for stores outside the JVM (Redis): the chunks with their token
 * ids, the figures of the last chunk, and the semantic part with the vector as base64 of its
 * little-endian float32 values. Stateless.
 */
final class CacheEntryCodec {

  private CacheEntryCodec() {}

  static String encode(CacheEntry e) {
    JsonArray chunks = new JsonArray();
    for (CacheEntry.Chunk c : e.chunks()) {
      JsonArray tokens = new JsonArray();
      for (int t : c.tokens()) {
        tokens.add(t);
      }
      chunks.add(new JsonObject().put("t", c.text()).put("k", tokens));
    }
    JsonObject json =
        new JsonObject()
            .put("v", 1)
            .put("id", e.id())
            .put("tenant", e.tenant())
            .put("scope", e.scope())
            .put("chunks", chunks)
            .put("tail", e.tail())
            .put("finish", e.finish().name())
            .put("prompt_tokens", e.promptTokens())
            .put("completion_tokens", e.completionTokens())
            .put("cost_usd", e.costUsd())
            .put("created_nanos", e.createdNanos())
            .put("ttl_ms", e.ttl().toMillis());
    e.semantic()
        .ifPresent(
            s ->
                json.put(
                    "semantic",
                    new JsonObject()
                        .put("embedder", s.embedder())
                        .put("vector", vector(s.vector()))
                        .put("numbers", new JsonArray(s.facts().numbers()))
                        .put("negations", new JsonArray(s.facts().negations()))
                        .put("entities", new JsonArray(s.facts().entities()))
                        .put("terms", new JsonArray(s.facts().terms()))));
    return json.encode();
  }

  static CacheEntry decode(String text) {
    JsonObject json = new JsonObject(text);
    List<CacheEntry.Chunk> chunks = new ArrayList<>();
    for (Object o : json.getJsonArray("chunks")) {
      JsonObject c = (JsonObject) o;
      JsonArray k = c.getJsonArray("k");
      int[] tokens = new int[k.size()];
      for (int i = 0; i < tokens.length; i++) {
        tokens[i] = k.getInteger(i);
      }
      chunks.add(new CacheEntry.Chunk(c.getString("t"), tokens));
    }
    JsonObject s = json.getJsonObject("semantic");
    Optional<CacheEntry.Semantic> semantic =
        s == null
            ? Optional.empty()
            : Optional.of(
                new CacheEntry.Semantic(
                    s.getString("embedder"),
                    vector(s.getString("vector")),
                    new PromptFacts(
                        strings(s.getJsonArray("numbers")),
                        strings(s.getJsonArray("negations")),
                        strings(s.getJsonArray("entities")),
                        strings(s.getJsonArray("terms")))));
    return new CacheEntry(
        json.getString("id"),
        json.getString("tenant"),
        json.getString("scope"),
        chunks,
        json.getString("tail"),
        CacheEntry.Finish.valueOf(json.getString("finish")),
        json.getInteger("prompt_tokens"),
        json.getInteger("completion_tokens"),
        json.getDouble("cost_usd"),
        json.getLong("created_nanos"),
        Duration.ofMillis(json.getLong("ttl_ms")),
        semantic);
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    array.forEach(o -> out.add((String) o));
    return out;
  }

  private static String vector(float[] v) {
    ByteBuffer bytes = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) {
      bytes.putFloat(x);
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  private static float[] vector(String base64) {
    ByteBuffer bytes =
        ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[bytes.remaining() / 4];
    for (int i = 0; i < v.length; i++) {
      v[i] = bytes.getFloat();
    }
    return v;
  }
}
