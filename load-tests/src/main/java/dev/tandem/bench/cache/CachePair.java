package dev.tandem.bench.cache;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One pair of {@code fixtures/workloads/cache.jsonl}: prompt {@code a} is asked first, then {@code
 * b}; {@code kind} says whether b may be answered with a's answer (exact, paraphrase) or must not
 * (negation, number, name, topic).
 */
record CachePair(String id, String a, String b, boolean expectHit, String kind) {

  /** The pairs that must never match. */
  static final List<String> MUST_NOT_MATCH = List.of("negation", "number", "name", "topic");

  static List<CachePair> load(Path home) throws IOException {
    return Files.readAllLines(home.resolve("fixtures/workloads/cache.jsonl")).stream()
        .filter(line -> !line.isBlank())
        .map(JsonObject::new)
        .map(
            j ->
                new CachePair(
                    j.getString("id"),
                    j.getString("a"),
                    j.getString("b"),
                    j.getBoolean("expect_hit"),
                    j.getString("kind")))
        .toList();
  }

  boolean mustNotMatch() {
    return MUST_NOT_MATCH.contains(kind);
  }
}
