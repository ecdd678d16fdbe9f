package dev.tandem.router.config;

import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the router's configuration comes from; each {@link #load} reads it again, so a source also
 * serves reloads.
 *
 * <p>Threading: {@link #load} may be called from any thread and does its I/O off the event loop;
 * {@link #fingerprint} may block and must not run on an event loop.
 */
public interface ConfigSource {

  /** Reads and validates the whole configuration; fails naming the file or key when it is bad. */
  Future<TandemConfig> load();

  /** The file a reload re-reads, if any. */
  Optional<Path> file();

  /** Changes whenever the file's content changes: what the file watcher compares. */
  String fingerprint();

  /** A configuration that never changes (embedding, tests). */
  static ConfigSource fixed(TandemConfig config) {
    return new ConfigSource() {
      @Override
      public Future<TandemConfig> load() {
        return Future.succeededFuture(config);
      }

      @Override
      public Optional<Path> file() {
        return Optional.empty();
      }

      @Override
      public String fingerprint() {
        return "";
      }
    };
  }
}
