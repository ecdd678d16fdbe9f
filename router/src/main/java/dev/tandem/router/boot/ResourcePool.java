package dev.tandem.router.boot;

import java.io.IOException;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Models, tokenizers and verifier clients shared by the configurations that use them: a reload that
 * keeps a tier's model reuses the loaded one, and a resource is closed when the last configuration
 * holding it is gone (its last stream ended). Keys are records describing the resource completely
 * (e.g. model directory + backend), so equal keys mean interchangeable resources.
 *
 * <p>Threading: thread-safe; {@link #acquire} may block (it creates the resource, e.g. loads a
 * model) and must not run on an event loop.
 */
final class ResourcePool implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ResourcePool.class.getName());

  /** Creates a resource. */
  interface Factory<T extends AutoCloseable> {
    T create() throws IOException;
  }

  private final Map<Object, Entry> entries = new java.util.LinkedHashMap<>();

  private static final class Entry {
    final AutoCloseable resource;
    int holders;

    Entry(AutoCloseable resource) {
      this.resource = resource;
    }
  }

  /**
   * The resource for {@code key}, created by {@code factory} when no holder has it; every acquire
   * must be matched by one {@link #release}.
   */
  @SuppressWarnings("unchecked")
  <T extends AutoCloseable> T acquire(Object key, Factory<T> factory) throws IOException {
    synchronized (this) {
      Entry entry = entries.get(key);
      if (entry != null) {
        entry.holders++;
        return (T) entry.resource;
      }
    }
    // Created outside the lock: loading a model takes a while. Configurations are built one at a
    // time, so two creators of one key do not race.
    T created = factory.create();
    synchronized (this) {
      Entry entry = entries.computeIfAbsent(key, k -> new Entry(created));
      entry.holders++;
      if (entry.resource != created) {
        closeQuietly(key, created);
      }
      return (T) entry.resource;
    }
  }

  /** Gives back one hold on {@code key}; the last one closes the resource. */
  void release(Object key) {
    Entry entry;
    synchronized (this) {
      entry = entries.get(key);
      if (entry == null) {
        throw new IllegalStateException("released more often than acquired: " + key);
      }
      if (--entry.holders > 0) {
        return;
      }
      entries.remove(key);
    }
    closeQuietly(key, entry.resource);
  }

  /** The resources held now that are of {@code type}. */
  synchronized <T> java.util.stream.Stream<T> stream(Class<T> type) {
    return entries.values().stream()
        .map(e -> e.resource)
        .filter(type::isInstance)
        .map(type::cast)
        .toList()
        .stream();
  }

  private static void closeQuietly(Object key, AutoCloseable resource) {
    try {
      resource.close();
      LOG.fine("closed " + key);
    } catch (Exception e) {
      LOG.warning("closing " + key + ": " + e);
    }
  }

  /** Closes everything still held (router shutdown). */
  @Override
  public void close() {
    java.util.List<Map.Entry<Object, Entry>> left;
    synchronized (this) {
      left = new java.util.ArrayList<>(entries.entrySet());
      entries.clear();
    }
    // Reverse creation order: verifiers before the models they run on.
    for (int i = left.size() - 1; i >= 0; i--) {
      closeQuietly(left.get(i).getKey(), left.get(i).getValue().resource);
    }
  }
}
