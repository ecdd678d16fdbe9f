package dev.tandem.bench.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class BareStreamServerTest {

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void streamsEveryChunkThenTheSummaryAndRecordsEachRelease() {
    int streams = 3;
    int steps = 5;
    try (BareStreamServer server = new BareStreamServer(2);
        StreamFleet client = StreamFleet.plaintext("127.0.0.1", server.port, 2)) {
      ReleaseLog releases = new ReleaseLog(streams, steps + 2);
      server.watchReleases(releases);

      ChunkClient.Arrivals arrivals = client.run(streams, steps, 2);

      for (int s = 0; s < streams; s++) {
        long[] at = arrivals.chunkNanos()[s];
        assertNotNull(at, "stream " + s + " ended without its summary");
        assertEquals(steps, at.length, "chunks of stream " + s);
        assertEquals(steps, releases.count(s), "releases of stream " + s);
        for (int i = 0; i < steps; i++) {
          assertTrue(releases.releasedAt(s, i) <= at[i], "chunk " + i + " arrived before release");
        }
      }
    }
  }
}
