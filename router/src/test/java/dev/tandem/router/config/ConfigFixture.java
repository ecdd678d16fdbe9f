package dev.tandem.router.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Reads configs the way the router does (the embedded default with overrides merged over it,
 * relative paths from the repository root), for tests of the config reader.
 */
abstract class ConfigFixture {

  static final Path HOME = Path.of("..").toAbsolutePath().normalize();
  static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  /** The validated config, or the reader's exception (a {@link ConfigException} for bad keys). */
  static TandemConfig load(JsonObject overrides) {
    try {
      return new FileConfigSource(vertx, HOME, Optional.empty(), overrides)
          .load()
          .toCompletionStage()
          .toCompletableFuture()
          .join();
    } catch (CompletionException e) {
      throw (RuntimeException) e.getCause();
    }
  }

  /** Overrides whose tier list is one tier named {@code t} with {@code fields}. */
  static JsonObject tier(JsonObject fields) {
    return new JsonObject()
        .put(
            "tiers",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("name", "t")
                        .put("price_per_1k_tokens_usd", 0.001)
                        .mergeIn(fields)));
  }
}
