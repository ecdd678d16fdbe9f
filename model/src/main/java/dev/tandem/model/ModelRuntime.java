package dev.tandem.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * Owns the dedicated executor that every forward pass runs on (never an event loop), and loads
 * models onto it. One runtime can serve several models (e.g. a drafter and an in-process verifier),
 * or each can have its own to keep their threads apart.
 *
 * <p>Threads: a fixed pool of {@code threads} daemon threads named {@code tandem-model-N}; each
 * keeps its own scratch buffers per model. Kernels run single-threaded per forward, so the pool
 * size is the number of forwards in parallel. {@link #submit}, {@link #load} and {@link #close} may
 * be called from any thread.
 */
public final class ModelRuntime implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ModelRuntime.class.getName());
  private static final ThreadLocal<ModelRuntime> CURRENT = new ThreadLocal<>();
  private static final AtomicInteger RUNTIMES = new AtomicInteger();

  private final ExecutorService executor;
  private final int threads;

  /**
   * @param threads model threads, at least 1
   */
  public ModelRuntime(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("model threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    int id = RUNTIMES.incrementAndGet();
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory =
        r -> {
          Thread t =
              new Thread(
                  () -> {
                    CURRENT.set(this);
                    r.run();
                  },
                  "tandem-model-" + id + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    this.executor = Executors.newFixedThreadPool(threads, factory);
  }

  public int threads() {
    return threads;
  }

  /**
   * Loads a Hugging Face model directory ({@code config.json}, {@code model.safetensors} or its
   * sharded index, optional {@code generation_config.json} and {@code tokenizer.json}). Blocking
   * I/O: call it off event loops (or use {@link #loadAsync}).
   *
   * @throws java.nio.file.NoSuchFileException naming a missing file
   * @throws IllegalArgumentException naming the file / tensor / field that is invalid or
   *     unsupported, and what is allowed
   */
  public Model load(Path dir, ModelOptions options) throws IOException {
    long start = System.nanoTime();
    Model model = Model.load(this, dir, options);
    LOG.info(
        () ->
            String.format(
                "loaded %s in %d ms (backend=%s, requested=%s)",
                model,
                (System.nanoTime() - start) / 1_000_000,
                model.backend(),
                options.backend().name().toLowerCase(java.util.Locale.ROOT)));
    return model;
  }

  /** {@link #load} on the model executor. */
  public CompletableFuture<Model> loadAsync(Path dir, ModelOptions options) {
    return submit(() -> load(dir, options));
  }

  /** Runs {@code task} on the model executor. */
  public <T> CompletableFuture<T> submit(Callable<T> task) {
    CompletableFuture<T> f = new CompletableFuture<>();
    executor.execute(
        () -> {
          try {
            f.complete(task.call());
          } catch (Throwable t) {
            f.completeExceptionally(t);
          }
        });
    return f;
  }

  /** True on one of this runtime's threads. */
  public boolean onModelThread() {
    return CURRENT.get() == this;
  }

  void requireModelThread() {
    if (!onModelThread()) {
      throw new IllegalStateException(
          "synchronous model calls must run on the model executor (ModelRuntime.submit or the"
              + " *Async methods), not on "
              + Thread.currentThread().getName());
    }
  }

  /** Stops the executor after queued work; models stay loaded until closed. */
  @Override
  public void close() {
    executor.shutdown();
  }
}
