package dev.tandem.bench.router;

import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.GenerationGrpcClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

/**
 * A non-blocking gRPC load client for the benchmarks: streams Generate calls over a few HTTP/2
 * connections and records each chunk's arrival.
 *
 * <p>Threading: {@link #generate} may be called from any thread; traces complete on the client's
 * event loops.
 */
public final class StreamClient implements AutoCloseable {

  private final GrpcClient client;
  private final GenerationGrpcClient stub;

  public StreamClient(Vertx vertx, String host, int port) {
    this(vertx, host, port, new HttpClientOptions());
  }

  /** A client over TLS that trusts the PEM certificate {@code trusted} (ALPN h2). */
  public static StreamClient overTls(
      Vertx vertx, String host, int port, java.nio.file.Path trusted) {
    return new StreamClient(
        vertx,
        host,
        port,
        new HttpClientOptions()
            .setSsl(true)
            .setUseAlpn(true)
            .setSslEngineOptions(dev.tandem.verifier.tls.Tls.engine())
            .setTrustOptions(
                new io.vertx.core.net.PemTrustOptions().addCertPath(trusted.toString())));
  }

  /**
   * The HTTP/2 connection's receive window: grpc-java's default flow-control window (grpc-go and
   * gRPC C++ grow theirs from the measured bandwidth-delay product, further). With HTTP/2's default
   * of 64 KiB the client acknowledged every 32 KiB it read with a WINDOW_UPDATE, and each one costs
   * the server a pass over all the connection's streams (Netty's writability check): 7 % of the
   * router's event-loop time at 2,000 streams, a cost of this client, not of gRPC clients.
   */
  static final int CONNECTION_WINDOW_BYTES = 1 << 20;

  private StreamClient(Vertx vertx, String host, int port, HttpClientOptions base) {
    client =
        GrpcClient.client(
            vertx,
            new GrpcClientOptions(),
            base.setHttp2MultiplexingLimit(10_000)
                .setHttp2ConnectionWindowSize(CONNECTION_WINDOW_BYTES));
    stub = GenerationGrpcClient.create(client, SocketAddress.inetSocketAddress(port, host));
  }

  /**
   * One closed-loop client: takes the next request index below {@code total}, streams {@code
   * request(index)}, records its trace (or an error) and goes on; counts {@code done} down when no
   * index is left. Start as many chains as concurrent streams, sharing {@code next}.
   */
  void chain(
      java.util.function.IntFunction<GenerateRequest> request,
      int total,
      java.util.concurrent.atomic.AtomicInteger next,
      List<StreamTrace> traces,
      java.util.concurrent.atomic.AtomicInteger errors,
      java.util.concurrent.CountDownLatch done) {
    int i = next.getAndIncrement();
    if (i >= total) {
      done.countDown();
      return;
    }
    generate(request.apply(i))
        .onComplete(
            r -> {
              if (r.succeeded()) {
                traces.add(r.result());
              } else {
                errors.incrementAndGet();
              }
              chain(request, total, next, traces, errors, done);
            });
  }

  public Future<StreamTrace> generate(GenerateRequest request) {
    Promise<StreamTrace> done = Promise.promise();
    long start = System.nanoTime();
    LongStream.Builder times = LongStream.builder();
    List<Integer> tokens = new ArrayList<>();
    stub.generate(request)
        .onFailure(done::tryFail)
        .onSuccess(
            stream ->
                stream
                    .handler(
                        chunk -> {
                          long now = System.nanoTime();
                          if (chunk.getTokenIdsCount() > 0) {
                            times.add(now);
                            tokens.add(chunk.getTokenIdsCount());
                          }
                          if (chunk.hasSummary()) {
                            done.tryComplete(
                                new StreamTrace(
                                    start,
                                    times.build().toArray(),
                                    tokens,
                                    now,
                                    chunk.getSummary()));
                          }
                        })
                    .exceptionHandler(done::tryFail)
                    .endHandler(v -> done.tryFail("stream ended without a summary")));
    return done.future();
  }

  /** Sends the requests one after another (batch 1), returning every trace. */
  List<StreamTrace> sequential(List<GenerateRequest> requests) {
    List<StreamTrace> traces = new ArrayList<>();
    for (GenerateRequest request : requests) {
      traces.add(generate(request).toCompletionStage().toCompletableFuture().join());
    }
    return traces;
  }

  @Override
  public void close() {
    client.close();
  }
}
