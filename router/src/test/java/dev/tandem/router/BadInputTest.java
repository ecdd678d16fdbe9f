package dev.tandem.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.proto.v1.Budget;
import dev.tandem.proto.v1.GenerateChunk;
import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.GenerationGrpc;
import dev.tandem.proto.v1.Speculation;
import dev.tandem.router.synthetic.SyntheticRouter;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every request field at its boundary values, prompts at and over the size limit and bytes that are
 * not UTF-8, over HTTP (JSON) and gRPC: a value just inside is served, a value just outside gets
 * 400 / INVALID_ARGUMENT with a message naming the field and what is allowed. Limits of the router
 * under test: max_tokens 1..4096, prompts up to 4096 characters, k up to 8, bodies up to 64 KiB.
 */
class BadInputTest {

  static SyntheticRouter router;
  static ManagedChannel channel;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    router = new SyntheticRouter(0, 0.7, 4096);
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", router.port)
            .usePlaintext()
            .directExecutor()
            .maxInboundMessageSize(1 << 20)
            .build();
  }

  @AfterAll
  static void stop() {
    channel.shutdownNow();
    router.close();
  }

  static Stream<Arguments> httpRefused() {
    return Stream.of(
        refused("\"max_tokens\":0", "max_tokens must be in 1..4096, got 0"),
        refused("\"max_tokens\":4097", "max_tokens must be in 1..4096, got 4097"),
        refused("\"max_tokens\":-1", "max_tokens must be in 1..4096, got -1"),
        refused("\"max_tokens\":1.5", "max_tokens must be an integer"),
        refused("\"max_tokens\":\"2\"", "max_tokens must be a number, got a string"),
        refused("\"temperature\":-0.01", "temperature must be in 0..2.0"),
        refused("\"temperature\":2.01", "temperature must be in 0..2.0"),
        refused("\"temperature\":1e39", "temperature must be in 0..2.0, got Infinity"),
        refused("\"top_p\":0", "top_p must be in (0, 1], got 0.0"),
        refused("\"top_p\":1.01", "top_p must be in (0, 1]"),
        refused("\"top_k\":-1", "top_k must be in 0..2147483647 (0 = off), got -1"),
        refused("\"top_k\":2147483648", "top_k must be in 0..2147483647 (0 = off), got 2147483648"),
        refused("\"seed\":0.5", "seed must be an integer"),
        refused("\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]", "stop must have at most 4 sequences"),
        refused("\"stop\":[\"\"]", "stop"),
        refused("\"stop\":[\"" + "s".repeat(257) + "\"]", "256"),
        refused("\"n\":2", "n must be 1"),
        refused("\"budget\":{\"max_cost_usd\":-1}", "budget.max_cost_usd must be >= 0"),
        refused("\"budget\":{\"ttft_ms\":-1}", "budget.ttft_ms and budget.tpot_ms must be >= 0"),
        refused("\"speculation\":{\"k\":9}", "speculation.k must be in 0..8, got 9"),
        refused("\"speculation\":{\"k\":-1}", "speculation.k must be in 0..8, got -1"),
        refused("\"speculation\":{\"mode\":\"fixed\",\"k\":0}", "speculation.k must be in 1..8"),
        refused(
            "\"speculation\":{\"mode\":\"always\"}", "speculation.mode must be auto, off or fixed"),
        refused("\"speculation\":{\"drafter\":\"oracle\"}", "speculation.drafter must be one of"),
        refused("\"tags\":" + tagsJson(17, 1, 1), "tags must have at most 16 entries, got 17"),
        refused("\"tags\":" + tagsJson(1, 65, 1), "tag keys must have 1..64 characters"),
        refused("\"tags\":" + tagsJson(1, 1, 257), "values at most 256"));
  }

  private static Arguments refused(String field, String message) {
    return Arguments.of(field, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("httpRefused")
  void httpValuesJustOutsideGet400NamingTheFieldAndRange(String field, String message)
      throws Exception {
    HttpResponse<String> response = post("{\"prompt\":\"p\"," + field + "}");
    assertEquals(400, response.statusCode(), response.body());
    assertTrue(response.body().contains(message), response.body());
  }

  static Stream<String> httpServed() {
    return Stream.of(
        "\"max_tokens\":1",
        "\"max_tokens\":4096",
        "\"temperature\":0",
        "\"temperature\":2",
        "\"top_p\":1",
        "\"top_p\":1e-6",
        "\"top_k\":0",
        "\"top_k\":2147483647",
        "\"seed\":0",
        "\"seed\":-9007199254740991",
        "\"seed\":9007199254740991",
        "\"stop\":[\"a\",\"b\",\"c\",\"" + "s".repeat(256) + "\"]",
        "\"budget\":{\"max_cost_usd\":0,\"ttft_ms\":0,\"tpot_ms\":2147483647}",
        "\"speculation\":{\"k\":0}",
        "\"speculation\":{\"mode\":\"fixed\",\"k\":8}",
        "\"tags\":" + tagsJson(16, 64, 256));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("httpServed")
  void httpValuesAtTheBoundaryAreServed(String field) throws Exception {
    String body = field.startsWith("\"max_tokens\"") ? field : "\"max_tokens\":2," + field;
    HttpResponse<String> response = post("{\"prompt\":\"p\"," + body + "}");
    assertEquals(200, response.statusCode(), response.body());
  }

  @Test
  void promptsAtTheLimitAreServedAndOneCharacterMoreIsRefused() throws Exception {
    String atLimit = "é".repeat(4096); // characters, not bytes: 8,192 bytes of UTF-8
    assertEquals(200, post(completion(atLimit)).statusCode());
    HttpResponse<String> over = post(completion(atLimit + "x"));
    assertEquals(400, over.statusCode());
    assertTrue(
        over.body().contains("prompt must have at most 4096 characters, got 4097"), over.body());
    HttpResponse<String> chat =
        post(
            "{\"messages\":[{\"role\":\"user\",\"content\":\""
                + "m".repeat(4000)
                + "\"},{\"role\":\"user\",\"content\":\""
                + "m".repeat(97)
                + "\"}],\"max_tokens\":1}",
            "/v1/chat/completions");
    assertEquals(400, chat.statusCode());
    assertTrue(chat.body().contains("messages must have at most 4096 characters, got 4097"));

    assertEquals(1, grpcServed(GenerateRequest.newBuilder().setPrompt(atLimit).setMaxTokens(1)));
    StatusRuntimeException e =
        grpcRefused(GenerateRequest.newBuilder().setPrompt(atLimit + "x").setMaxTokens(1));
    assertTrue(
        e.getStatus().getDescription().contains("prompt must have at most 4096 characters"),
        e.getStatus().toString());
  }

  @Test
  void promptBytesThatAreNotUtf8AreRefusedOverBothTransports() throws Exception {
    byte[] json =
        "{\"prompt\":\"ab\u0000\u0000cd\",\"max_tokens\":1}".getBytes(StandardCharsets.UTF_8);
    json[13] = (byte) 0xC3; // a lead byte followed by one that cannot continue it
    json[14] = (byte) 0x28;
    HttpResponse<String> http =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + router.port + "/v1/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(400, http.statusCode(), http.body());
    assertTrue(http.body().contains("not valid JSON"), http.body());
    assertTrue(http.body().contains("UTF-8"), http.body());

    // GenerateRequest{prompt (field 2) = C3 28, max_tokens (field 4) = 1}, written by hand: the
    // generated builder refuses to hold a string that is not UTF-8.
    byte[] proto = {0x12, 0x02, (byte) 0xC3, 0x28, 0x20, 0x01};
    StatusRuntimeException e = rawGrpcRefused(proto);
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("UTF-8"), e.getStatus().toString());
  }

  @Test
  void grpcMessagesOverTheBodyLimitAreRefused() {
    // 70,000 characters: over the 64 KiB limit (and over max_prompt_chars, checked later).
    StatusRuntimeException e =
        grpcRefused(GenerateRequest.newBuilder().setPrompt("x".repeat(70_000)).setMaxTokens(1));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(
        e.getStatus().getDescription().contains("limits.max_body_bytes allows at most 65536"),
        e.getStatus().toString());
  }

  static Stream<Arguments> grpcRefused() {
    return Stream.of(
        grpc(r -> r.setMaxTokens(4097), "max_tokens must be in 1..4096, got 4097"),
        grpc(r -> r.setMaxTokens(-1), "max_tokens must be in 1..4096, got 4294967295"),
        grpc(r -> r.setTemperature(-0.01f), "temperature must be in 0..2.0"),
        grpc(r -> r.setTemperature(Float.NaN), "temperature must be in 0..2.0, got NaN"),
        grpc(r -> r.setTopP(0f), "top_p must be in (0, 1]"),
        grpc(r -> r.setTopP(Float.POSITIVE_INFINITY), "top_p must be in (0, 1]"),
        grpc(r -> r.setTopK(-1), "top_k must be in 0..2147483647 (0 = off), got 4294967295"),
        grpc(r -> r.addAllStop(java.util.List.of("a", "b", "c", "d", "e")), "at most 4 sequences"),
        grpc(r -> r.setBudget(Budget.newBuilder().setMaxCostUsd(-1)), "budget.max_cost_usd"),
        grpc(
            r -> r.setBudget(Budget.newBuilder().setMaxCostUsd(Double.NaN)), "budget.max_cost_usd"),
        grpc(r -> r.setBudget(Budget.newBuilder().setTtftMs(-1)), "budget.ttft_ms"),
        grpc(
            r -> r.setSpeculation(Speculation.newBuilder().setK(9)),
            "speculation.k must be in 0..8"),
        grpc(r -> r.setSpeculation(Speculation.newBuilder().setK(-1)), "got -1"),
        grpc(
            r -> r.setSpeculation(Speculation.newBuilder().setDrafter("oracle")),
            "speculation.drafter"),
        grpc(r -> r.putAllTags(tags(17, 1, 1)), "tags must have at most 16 entries"),
        grpc(r -> r.putAllTags(tags(1, 65, 1)), "tag keys must have 1..64 characters"),
        grpc(r -> r.setPrompt(""), "prompt must be a non-empty string"));
  }

  private static Arguments grpc(UnaryOperator<GenerateRequest.Builder> field, String message) {
    return Arguments.of(field, message);
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("grpcRefused")
  void grpcValuesJustOutsideGetInvalidArgumentNamingTheFieldAndRange(
      UnaryOperator<GenerateRequest.Builder> field, String message) {
    StatusRuntimeException e =
        grpcRefused(field.apply(GenerateRequest.newBuilder().setPrompt("p").setMaxTokens(1)));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains(message), e.getStatus().toString());
  }

  @Test
  void grpcValuesAtTheBoundaryAreServed() {
    assertEquals(4096, grpcServed(GenerateRequest.newBuilder().setPrompt("p").setMaxTokens(4096)));
    assertEquals(16, grpcServed(GenerateRequest.newBuilder().setPrompt("p"))); // 0 = the default
    for (UnaryOperator<GenerateRequest.Builder> field :
        java.util.List.<UnaryOperator<GenerateRequest.Builder>>of(
            r -> r.setTemperature(2f),
            r -> r.setTopP(Float.MIN_VALUE),
            r -> r.setTopK(Integer.MAX_VALUE),
            r -> r.setSeed(-1L), // uint64 max
            r -> r.setSpeculation(Speculation.newBuilder().setK(8)),
            r -> r.setBudget(Budget.newBuilder().setTtftMs(Integer.MAX_VALUE)),
            r -> r.putAllTags(tags(16, 64, 256)))) {
      assertEquals(
          2, grpcServed(field.apply(GenerateRequest.newBuilder().setPrompt("p").setMaxTokens(2))));
    }
  }

  // --- helpers

  private static String completion(String prompt) {
    return "{\"prompt\":\"" + prompt + "\",\"max_tokens\":1}";
  }

  private static HttpResponse<String> post(String body) throws Exception {
    return post(body, "/v1/completions");
  }

  private static HttpResponse<String> post(String body, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static java.util.Map<String, String> tags(int n, int keyLength, int valueLength) {
    java.util.Map<String, String> tags = new java.util.LinkedHashMap<>();
    IntStream.range(0, n)
        .forEach(
            i -> {
              String key = (char) ('A' + i) + "k".repeat(keyLength - 1); // distinct
              tags.put(key, "v".repeat(valueLength));
            });
    return tags;
  }

  private static String tagsJson(int n, int keyLength, int valueLength) {
    return new io.vertx.core.json.JsonObject(
            new java.util.LinkedHashMap<String, Object>(tags(n, keyLength, valueLength)))
        .encode();
  }

  /** Completion tokens of a served request. */
  private static int grpcServed(GenerateRequest.Builder request) {
    Iterator<GenerateChunk> it = GenerationGrpc.newBlockingStub(channel).generate(request.build());
    GenerateChunk last = null;
    while (it.hasNext()) {
      last = it.next();
    }
    return last.getSummary().getUsage().getCompletionTokens();
  }

  private static StatusRuntimeException grpcRefused(GenerateRequest.Builder request) {
    try {
      GenerationGrpc.newBlockingStub(channel).generate(request.build()).forEachRemaining(c -> {});
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("served: " + request);
  }

  /** Sends {@code message} as the Generate request's bytes, as they are. */
  private static StatusRuntimeException rawGrpcRefused(byte[] message) {
    MethodDescriptor<byte[], GenerateChunk> raw =
        GenerationGrpc.getGenerateMethod().toBuilder(
                new RawBytes(), GenerationGrpc.getGenerateMethod().getResponseMarshaller())
            .build();
    try {
      ClientCalls.blockingServerStreamingCall(channel, raw, CallOptions.DEFAULT, message)
          .forEachRemaining(c -> {});
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("served");
  }

  private static final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        stream.transferTo(out);
        return out.toByteArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
