package dev.tandem.bench.router;

import dev.tandem.proto.v1.FinishReason;
import dev.tandem.proto.v1.GenerateChunk;
import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.GenerationGrpcService;
import dev.tandem.proto.v1.GenerationSummary;
import dev.tandem.router.config.TandemConfig.NetTransport;
import dev.tandem.router.connections.NetTransports;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The transport alone, as a floor under the router overhead bench: Vert.x's gRPC server answering
 * {@code tandem.v1.Generation/Generate} with chunks encoded once at start-up, one per stream every
 * {@code paceMs} from a 1 ms tick per event loop, then a summary. No Tandem code runs (no engine,
 * loop, detokenizer or streamer), so what this JVM spends and allocates per chunk is what Vert.x
 * and Netty cost for one gRPC message on an HTTP/2 stream. The listener is set up as the router's
 * is: the default transport ({@code server.transport: auto}), cleartext HTTP/2, the default idle
 * timeout, one server instance per core, flushes consolidated per event-loop turn.
 *
 * <p>Chunk {@code i} of a stream is released (its time recorded in the watching {@link ReleaseLog},
 * as the synthetic backend records its verdicts) just before it is written, so the bench's added
 * latency is the write, the socket and the client.
 *
 * <p>Threading: construct and close off the event loops. A stream lives on its connection's event
 * loop and is written by that loop's tick only.
 */
final class BareStreamServer implements AutoCloseable {

  /** The router's default idle timeout ({@code server.connections.idle_timeout_ms}). */
  private static final int IDLE_TIMEOUT_MS = 300_000;

  /** The router's default HTTP/2 streams per connection ({@code limits.max_concurrent_streams}). */
  private static final int MAX_STREAMS = 10_000;

  /** 4 tokens of text with their ids, as the synthetic router's chunks carry. */
  private static final Buffer CHUNK =
      Buffer.buffer(
          GenerateChunk.newBuilder()
              .setText("abcd")
              .addTokenIds(97)
              .addTokenIds(98)
              .addTokenIds(99)
              .addTokenIds(100)
              .build()
              .toByteArray());

  private static final Buffer SUMMARY =
      Buffer.buffer(
          GenerateChunk.newBuilder()
              .setFinishReason(FinishReason.FINISH_REASON_LENGTH)
              .setSummary(GenerationSummary.newBuilder().setTier("bare").build())
              .build()
              .toByteArray());

  final int port;

  /** The transport it serves on. */
  final NetTransports.Choice transport;

  private final Vertx vertx;
  private final long paceNanos;
  private volatile ReleaseLog releases;

  /** Starts listening on a free loopback port on the default transport (as {@code auto}). */
  BareStreamServer(double paceMs) {
    this(paceMs, NetTransport.AUTO);
  }

  /**
   * Starts listening on a free loopback port on {@code transport}, one server instance per core.
   */
  BareStreamServer(double paceMs, NetTransport transport) {
    this.paceNanos = (long) (paceMs * 1e6);
    this.transport = NetTransports.choose(transport, "--transport");
    this.vertx = NetTransports.vertx(this.transport);
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost("127.0.0.1")
            .setPort(-1) // any free port, shared by the instances
            .setHttp2ClearTextEnabled(true)
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
            .setIdleTimeout(IDLE_TIMEOUT_MS)
            .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(MAX_STREAMS));
    AtomicInteger bound = new AtomicInteger();
    Supplier<Deployable> instance =
        () ->
            context -> {
              Streams streams = new Streams(context);
              GrpcServer grpc = GrpcServer.server(vertx);
              grpc.callHandler(
                  GenerationGrpcService.Generate,
                  call -> call.handler(request -> streams.start(call, request)));
              return vertx
                  .createHttpServer(options)
                  .connectionHandler(
                      connection -> {
                        if (connection instanceof ConnectionBase base) {
                          base.channel()
                              .pipeline()
                              .addLast(
                                  new FlushConsolidationHandler(
                                      FlushConsolidationHandler
                                          .DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES,
                                      true));
                        }
                      })
                  .requestHandler(grpc)
                  .listen()
                  .onSuccess(server -> bound.set(server.actualPort()));
            };
    vertx
        .deployVerticle(
            instance,
            new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors()))
        .await();
    this.port = bound.get();
  }

  /** Where the next streams' releases are recorded (as {@code SyntheticBackend.watchReleases}). */
  void watchReleases(ReleaseLog log) {
    this.releases = log;
  }

  @Override
  public void close() {
    vertx.close().await();
  }

  /** The streams of one server instance, and the tick that writes their chunks. */
  private final class Streams {
    private final List<Stream> live = new ArrayList<>();

    Streams(Context context) {
      context.owner().setPeriodic(1, id -> tick());
    }

    void start(GrpcServerRequest<GenerateRequest, GenerateChunk> call, GenerateRequest request) {
      String prompt = request.getPrompt();
      int[] bytes = prompt.chars().toArray(); // the synthetic backend's tokens: one per byte
      live.add(
          new Stream(
              call.response(),
              releases.session(bytes),
              request.getMaxTokens() / 4, // the synthetic router's 4-token chunks
              System.nanoTime()));
    }

    private void tick() {
      long now = System.nanoTime();
      for (int i = live.size() - 1; i >= 0; i--) {
        Stream s = live.get(i);
        if (s.dueNanos > now) {
          continue;
        }
        GrpcServerResponse<GenerateRequest, GenerateChunk> response = s.response;
        if (s.sent == s.chunks) {
          response.writeMessage(message(SUMMARY));
          response.end();
          live.set(i, live.get(live.size() - 1));
          live.remove(live.size() - 1);
          continue;
        }
        s.release.accept(now);
        response.writeMessage(message(CHUNK));
        s.sent++;
        s.dueNanos += paceNanos;
      }
    }
  }

  private static GrpcMessage message(Buffer payload) {
    return GrpcMessage.message("identity", WireFormat.PROTOBUF, payload);
  }

  private static final class Stream {
    final GrpcServerResponse<GenerateRequest, GenerateChunk> response;
    final LongConsumer release;
    final int chunks;
    long dueNanos;
    int sent;

    Stream(
        GrpcServerResponse<GenerateRequest, GenerateChunk> response,
        LongConsumer release,
        int chunks,
        long dueNanos) {
      this.response = response;
      this.release = release;
      this.chunks = chunks;
      this.dueNanos = dueNanos;
    }
  }
}
