package dev.tandem.router.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the configuration: the built-in defaults ({@code tandem-default.yaml} on the classpath, the
 * embedded default), then the user's file (YAML or JSON, by extension) merged over them, then
 * command-line overrides, and validates the result into a {@link TandemConfig}.
 *
 * <p>Threading: {@link #load} may be called from any thread; it completes on a Vert.x context.
 */
public final class ConfigLoader {

  /** Classpath resource holding the embedded default. */
  public static final String DEFAULTS = "tandem-default.yaml";

  private final Vertx vertx;
  private final Path baseDir;

  /**
   * @param baseDir where relative model paths are resolved (the repository root for the bundled
   *     fixture models)
   */
  public ConfigLoader(Vertx vertx, Path baseDir) {
    this.vertx = vertx;
    this.baseDir = baseDir;
  }

  /**
   * @param file the user's config file, or null for the embedded default alone
   * @param overrides merged last (e.g. {@code --port}); may be empty
   */
  public Future<TandemConfig> load(Path file, JsonObject overrides) {
    ConfigRetrieverOptions options =
        new ConfigRetrieverOptions()
            .setScanPeriod(0)
            .addStore(
                new ConfigStoreOptions()
                    .setType("file")
                    .setFormat("yaml")
                    .setConfig(new JsonObject().put("path", DEFAULTS)));
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        return Future.failedFuture(new IllegalArgumentException("--config: no such file " + file));
      }
      String name = file.getFileName().toString();
      String format = name.endsWith(".json") ? "json" : "yaml";
      options.addStore(
          new ConfigStoreOptions()
              .setType("file")
              .setFormat(format)
              .setConfig(new JsonObject().put("path", file.toAbsolutePath().toString())));
    }
    options.addStore(new ConfigStoreOptions().setType("json").setConfig(overrides));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever
        .getConfig()
        .map(json -> new ConfigReader(baseDir).read(json))
        .eventually(
            () -> {
              retriever.close();
              return Future.succeededFuture();
            });
  }
}
