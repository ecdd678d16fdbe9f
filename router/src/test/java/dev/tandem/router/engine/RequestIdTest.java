package dev.tandem.router.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.synthetic.SyntheticBackend;
import dev.tandem.streaming.ChunkWriter;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A request's log lines share its id: the request line (the observer's) and its charge line. */
class RequestIdTest {

  private final Vertx vertx = Vertx.vertx();
  private final SyntheticBackend backend =
      new SyntheticBackend(0, 0.8, at -> CompletableFuture.completedFuture(at));
  private final Logger requests = Logger.getLogger("dev.tandem.requests");
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          lines.add(record.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @AfterEach
  void stop() {
    requests.removeHandler(capture);
    vertx.close().await();
  }

  @Test
  void theChargeLineCarriesTheRequestsId() throws Exception {
    requests.addHandler(capture);
    CompletableFuture<String> endedId = new CompletableFuture<>();
    GenerationEngine engine =
        SyntheticEngines.engine(
            backend,
            backend.verifier(),
            "synthetic",
            backend.drafter(),
            new GenerationObserver() {
              @Override
              public void started(GenerationRequest request, Tier tier) {}

              @Override
              public void ended(Ended ended) {
                endedId.complete(ended.requestId());
              }
            });
    CompletableFuture<StreamEnd> end =
        SyntheticEngines.run(
            vertx,
            engine,
            SyntheticEngines.greedyFixedK4(20),
            ChunkWriter.into(new StringBuilder()));
    assertInstanceOf(StreamEnd.Finished.class, end.get(30, TimeUnit.SECONDS));
    String id = endedId.get(30, TimeUnit.SECONDS);
    List<String> charges = lines.stream().filter(l -> l.startsWith("charge ")).toList();
    assertEquals(1, charges.size(), lines.toString());
    assertTrue(charges.get(0).startsWith("charge id=" + id + " tenant="), charges.get(0));
  }
}
