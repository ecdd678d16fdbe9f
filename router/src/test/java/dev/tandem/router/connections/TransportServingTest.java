package dev.tandem.router.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tandem.proto.v1.GenerateChunk;
import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.GenerationGrpc;
import dev.tandem.router.config.TandemConfig;
import dev.tandem.router.config.TandemConfig.NetTransport;
import dev.tandem.router.metrics.RouterMetrics;
import dev.tandem.router.synthetic.SyntheticRouter;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The router serves the same on either transport ({@code server.transport}): cleartext gRPC
 * (HTTP/2) and HTTP/1.x on the one port, through its connection handlers. The synthetic router's
 * tests and the serving-path tests ({@link ServingVertx}) run on the default ({@code auto}: epoll
 * on Linux), most others on a plain {@code Vertx.vertx()} (NIO); this holds both to one answer.
 */
class TransportServingTest {

  @ParameterizedTest
  @EnumSource(
      value = NetTransport.class,
      names = {"EPOLL", "NIO"})
  void grpcAndHttpStreamOnTheTransportTheConfigNames(NetTransport transport) throws Exception {
    assumeTrue(transport != NetTransport.EPOLL || Transport.EPOLL.available(), "no epoll here");
    TandemConfig config =
        SyntheticRouter.withTransport(SyntheticRouter.transportConfig(256), transport);
    try (SyntheticRouter router = new SyntheticRouter(0, 0.7, RouterMetrics.disabled(), config)) {
      assertEquals(transport == NetTransport.EPOLL, router.vertx.isNativeTransportEnabled());

      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", router.port).usePlaintext().build();
      try {
        StringBuilder text = new StringBuilder();
        GenerationGrpc.newBlockingStub(channel)
            .withDeadlineAfter(20, TimeUnit.SECONDS)
            .generate(GenerateRequest.newBuilder().setPrompt("hello").setMaxTokens(40).build())
            .forEachRemaining((GenerateChunk c) -> text.append(c.getText()));
        assertEquals(SyntheticRouter.expectedText(40), text.toString());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }

      HttpResponse<String> response =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .build()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + router.port + "/v1/completions"))
                      .header("Content-Type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"prompt\":\"Hi\",\"max_tokens\":12,\"stream\":true}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), response.body());
      assertTrue(response.body().endsWith("data: [DONE]\n\n"), response.body());
      StringBuilder streamed = new StringBuilder();
      for (String event : response.body().split("\n\n")) {
        String data = event.substring("data: ".length());
        if (!data.equals("[DONE]")) {
          streamed.append(
              new JsonObject(data).getJsonArray("choices").getJsonObject(0).getString("text"));
        }
      }
      assertEquals(SyntheticRouter.expectedText(12), streamed.toString());
    }
  }
}
