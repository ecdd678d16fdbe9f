package dev.tandem.router.config;

import io.vertx.config.yaml.YamlProcessor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletionException;

/**
 * Where the configuration comes from: the built-in defaults ({@code tandem-default.yaml} on the
 * classpath, the embedded default), the user's file (YAML or JSON, by extension) merged over them,
 * then command-line overrides. Each {@link #load} reads the file again, so it also serves reloads.
 *
 * <p>Threading: {@link #load} may be called from any thread; file reading and parsing run off the
 * event loop. {@link #fingerprint} blocks (it reads the file) and must not run on an event loop.
 */
public final class FileConfigSource implements ConfigSource {

  /** Classpath resource holding the embedded default. */
  public static final String DEFAULTS = "tandem-default.yaml";

  private final Vertx vertx;
  private final Path baseDir;
  private final Optional<Path> file;
  private final JsonObject overrides;

  /**
   * @param baseDir where relative paths are resolved (the repository root for the bundled fixture
   *     models)
   * @param file the user's config file, if any
   * @param overrides merged last (e.g. {@code --port}); may be empty
   */
  public FileConfigSource(Vertx vertx, Path baseDir, Optional<Path> file, JsonObject overrides) {
    this.vertx = vertx;
    this.baseDir = baseDir;
    this.file = file.map(Path::toAbsolutePath);
    this.overrides = overrides.copy();
  }

  /** The embedded default alone. */
  public static FileConfigSource embedded(Vertx vertx, Path baseDir) {
    return new FileConfigSource(vertx, baseDir, Optional.empty(), new JsonObject());
  }

  /**
   * Reads the configuration once with a Vert.x of its own, closed after: for a caller that must
   * know it before it builds its own Vert.x ({@code server.transport} is fixed when Vert.x is
   * built). Blocks; not on an event loop.
   *
   * @throws IllegalArgumentException as {@link #load} fails (a {@link ConfigException} names the
   *     key)
   */
  public static TandemConfig readOnce(Path baseDir, Optional<Path> file, JsonObject overrides) {
    Vertx reader = Vertx.vertx();
    try {
      return new FileConfigSource(reader, baseDir, file, overrides)
          .load()
          .toCompletionStage()
          .toCompletableFuture()
          .join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    } finally {
      reader.close();
    }
  }

  @Override
  public Optional<Path> file() {
    return file;
  }

  /**
   * Reads and validates the whole configuration.
   *
   * @return fails with a {@link ConfigException} (bad value, unknown key) or an {@link
   *     IllegalArgumentException} naming the file (unreadable, empty, not YAML/JSON)
   */
  @Override
  public Future<TandemConfig> load() {
    return vertx
        .<Buffer>executeBlocking(() -> Buffer.buffer(readFileOrEmpty()), false)
        .compose(this::parseUserFile)
        .compose(
            user ->
                vertx.executeBlocking(
                    () -> new ConfigReader(baseDir).read(merge(defaults(), user)), false));
  }

  /** A digest of the file's bytes (empty when there is no file): what a reload compares. */
  @Override
  public String fingerprint() {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(readFileOrEmpty()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private byte[] readFileOrEmpty() {
    if (file.isEmpty()) {
      return new byte[0];
    }
    try {
      return Files.readAllBytes(file.get());
    } catch (IOException e) {
      throw new IllegalArgumentException(file.get() + ": cannot read the config file: " + e, e);
    }
  }

  private Future<JsonObject> parseUserFile(Buffer bytes) {
    if (file.isEmpty()) {
      return Future.succeededFuture(new JsonObject());
    }
    Path path = file.get();
    if (bytes.toString().isBlank()) {
      return Future.failedFuture(new IllegalArgumentException(path + ": the config file is empty"));
    }
    if (path.getFileName().toString().endsWith(".json")) {
      try {
        return Future.succeededFuture(new JsonObject(bytes));
      } catch (DecodeException e) {
        return Future.failedFuture(
            new IllegalArgumentException(path + ": not valid JSON: " + e.getMessage(), e));
      }
    }
    return new YamlProcessor()
        .process(vertx, new JsonObject(), bytes)
        .recover(
            e ->
                Future.failedFuture(
                    new IllegalArgumentException(
                        path + ": not valid YAML: " + firstLine(e.getMessage()), e)));
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }

  private JsonObject merge(JsonObject defaults, JsonObject user) {
    return defaults.mergeIn(user, true).mergeIn(overrides, true);
  }

  private static JsonObject defaults() {
    try (InputStream in = FileConfigSource.class.getClassLoader().getResourceAsStream(DEFAULTS)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS + " is missing from the classpath");
      }
      Object parsed = new org.yaml.snakeyaml.Yaml().load(in);
      return new JsonObject(io.vertx.core.json.Json.encode(parsed));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
