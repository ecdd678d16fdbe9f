package dev.tandem.bench.router;

import dev.tandem.model.ModelRuntime;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Thread hand-off latencies measured directly: the time from handing a task to another thread to
 * that task starting there, on the same clock ({@code System.nanoTime}), for the hand-offs a served
 * step makes — a Vert.x event loop to the model executor, and back — with the receiving thread
 * parked (the usual case between steps) and with it busy (the task only queues). A round trip is
 * timed as a served step would make it: event loop → model thread → event loop, with no work.
 */
final class HandoffBench {

  private static final int SAMPLES = 4000;

  private final PrintStream out;

  HandoffBench(PrintStream out) {
    this.out = out;
  }

  void run() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (ModelRuntime runtime = new ModelRuntime(1)) {
      Context loop = vertx.getOrCreateContext();
      out.println();
      out.println("#### Thread hand-off latency (task handed over → task starts), same clock");
      out.println();
      out.println("| hand-off | receiver | samples | p50 µs | p90 µs | p99 µs | mean µs |");
      out.println("|---|---|---:|---:|---:|---:|---:|");
      for (int round = 0; round < 2; round++) { // the first round warms up the JIT
        boolean print = round == 1;
        report(print, "event loop → model executor (submit)", "parked", toModel(loop, runtime));
        report(print, "model thread → event loop (runOnContext)", "parked", toLoop(loop, runtime));
        report(print, "model thread → model executor (submit)", "running", modelToModel(runtime));
        report(
            print, "round trip loop → model → loop, no work", "parked", roundTrip(loop, runtime));
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private void report(boolean print, String what, String receiver, List<Double> micros) {
    if (!print) {
      return;
    }
    Percentiles p = new Percentiles(micros);
    out.printf(
        Locale.ROOT,
        "| %s | %s | %d | %.1f | %.1f | %.1f | %.1f |%n",
        what,
        receiver,
        p.count(),
        p.at(50),
        p.at(90),
        p.at(99),
        p.mean());
    out.flush();
  }

  /** From the event loop, submit to the (idle) model executor; time until the task runs. */
  private static List<Double> toModel(Context loop, ModelRuntime runtime) throws Exception {
    List<Double> micros = new ArrayList<>();
    for (int i = 0; i < SAMPLES; i++) {
      CompletableFuture<Double> one = new CompletableFuture<>();
      loop.runOnContext(
          v -> {
            long t0 = System.nanoTime();
            runtime.submit(() -> one.complete((System.nanoTime() - t0) / 1e3));
          });
      micros.add(one.get(5, TimeUnit.SECONDS));
      parkBriefly();
    }
    return micros;
  }

  /** From the model thread, runOnContext to an (idle) event loop; time until it runs. */
  private static List<Double> toLoop(Context loop, ModelRuntime runtime) throws Exception {
    List<Double> micros = new ArrayList<>();
    for (int i = 0; i < SAMPLES; i++) {
      CompletableFuture<Double> one = new CompletableFuture<>();
      runtime.submit(
          () -> {
            long t0 = System.nanoTime();
            loop.runOnContext(v -> one.complete((System.nanoTime() - t0) / 1e3));
            return null;
          });
      micros.add(one.get(5, TimeUnit.SECONDS));
      parkBriefly();
    }
    return micros;
  }

  /** From a model thread to its own executor: the task queues behind the running one. */
  private static List<Double> modelToModel(ModelRuntime runtime) throws Exception {
    List<Double> micros = new ArrayList<>();
    for (int i = 0; i < SAMPLES; i++) {
      CompletableFuture<Double> one = new CompletableFuture<>();
      runtime.submit(
          () -> {
            long t0 = System.nanoTime();
            runtime.submit(() -> one.complete((System.nanoTime() - t0) / 1e3));
            return null;
          });
      micros.add(one.get(5, TimeUnit.SECONDS));
    }
    return micros;
  }

  /** Event loop → model thread → event loop, as a served step's two hops with no work between. */
  private static List<Double> roundTrip(Context loop, ModelRuntime runtime) throws Exception {
    List<Double> micros = new ArrayList<>();
    for (int i = 0; i < SAMPLES; i++) {
      CountDownLatch done = new CountDownLatch(1);
      double[] result = new double[1];
      loop.runOnContext(
          v -> {
            long t0 = System.nanoTime();
            runtime.submit(
                () -> {
                  loop.runOnContext(
                      w -> {
                        result[0] = (System.nanoTime() - t0) / 1e3;
                        done.countDown();
                      });
                  return null;
                });
          });
      done.await(5, TimeUnit.SECONDS);
      micros.add(result[0]);
      parkBriefly();
    }
    return micros;
  }

  /** Lets the receiving threads go idle (park) between samples, as they do between steps. */
  private static void parkBriefly() {
    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
  }
}
