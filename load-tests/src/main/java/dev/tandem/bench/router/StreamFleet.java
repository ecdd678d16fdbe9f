package dev.tandem.bench.router;

import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.Speculation;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * The overhead benchmark's streams over several HTTP/2 connections, each client on an event loop of
 * its own (as many independent clients would be spread over the router's listeners); stream {@code
 * i} goes over connection {@code i mod connections}.
 *
 * <p>Streams start spread evenly over whole pace periods, as independent clients would arrive, at
 * most {@value #STARTS_PER_MS} a millisecond (the router admits them one by one on its event loops:
 * faster, their sessions would open in clumps). The synthetic backend paces each session on its own
 * clock, so the streams keep these phases and each pacing tick releases about streams / pace-in-ms
 * of them. Started all at once they would stay in lockstep and every tick would release all of them
 * together.
 *
 * <p>Threading: {@link #run} from one thread at a time (not an event loop); it blocks.
 */
final class StreamFleet implements ChunkClient {

  private static final int STARTS_PER_MS = 5;

  private final Vertx vertx;
  private final boolean ownsVertx;
  private final List<Context> loops = new CopyOnWriteArrayList<>();
  private final List<StreamClient> clients = new ArrayList<>();

  /**
   * @param vertx the client's Vert.x (its event loops carry the connections)
   * @param connections HTTP/2 connections, one client and event loop each
   * @param client makes one connection's client
   * @param ownsVertx close {@code vertx} with the fleet
   */
  StreamFleet(
      Vertx vertx, int connections, Function<Vertx, StreamClient> client, boolean ownsVertx) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    vertx
        .deployVerticle(
            () ->
                new VerticleBase() {
                  @Override
                  public Future<?> start() {
                    loops.add(context);
                    return Future.succeededFuture();
                  }
                },
            new DeploymentOptions().setInstances(connections))
        .await();
    for (int i = 0; i < connections; i++) {
      clients.add(client.apply(vertx));
    }
  }

  /** Plaintext connections to {@code host:port} on a Vert.x of the fleet's own. */
  static StreamFleet plaintext(String host, int port, int connections) {
    return new StreamFleet(Vertx.vertx(), connections, v -> new StreamClient(v, host, port), true);
  }

  /**
   * The request of stream {@code stream}: named by its prompt ({@link ReleaseLog#prompt}), one
   * 4-token step per verdict (k = 3, the synthetic drafter is always right), {@code steps} steps.
   */
  static GenerateRequest request(int stream, int steps) {
    return GenerateRequest.newBuilder()
        .setPrompt(ReleaseLog.prompt(stream))
        .setMaxTokens(4 * steps)
        .setReturnTokenIds(true)
        .setSpeculation(
            Speculation.newBuilder()
                .setMode(Speculation.Mode.MODE_FIXED)
                .setK(3)) // drafter auto: the synthetic router's default, the synthetic drafter
        .build();
  }

  @Override
  public Arrivals run(int streams, int steps, double paceMs) {
    List<Future<StreamTrace>> futures = new ArrayList<>();
    long start = System.nanoTime();
    long ramp = (long) (paceMs * 1e6) * Math.ceilDiv(streams, (long) (STARTS_PER_MS * paceMs));
    long spacing = ramp / streams;
    for (int i = 0; i < streams; i++) {
      long due = start + i * spacing;
      for (long now; (now = System.nanoTime()) < due; ) {
        LockSupport.parkNanos(due - now);
      }
      StreamClient client = clients.get(i % clients.size());
      GenerateRequest request = request(i, steps);
      Promise<StreamTrace> trace = Promise.promise();
      loops
          .get(i % loops.size())
          .runOnContext(
              v -> client.generate(request).onSuccess(trace::complete).onFailure(trace::fail));
      futures.add(trace.future());
    }
    long[][] arrivals = new long[streams][];
    for (int s = 0; s < streams; s++) {
      try {
        arrivals[s] = futures.get(s).toCompletionStage().toCompletableFuture().join().chunkNanos();
      } catch (RuntimeException e) {
        arrivals[s] = null; // counted as not completed
      }
    }
    return new Arrivals(arrivals, Optional.empty());
  }

  @Override
  public String where() {
    return "in-process client (same JVM, its own Vert.x)";
  }

  @Override
  public void close() {
    clients.forEach(StreamClient::close);
    if (ownsVertx) {
      vertx.close().await();
    }
  }
}
