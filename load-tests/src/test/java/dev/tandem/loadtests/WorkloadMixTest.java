package dev.tandem.loadtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Given the fixtures' workloads, expect every line in the mix and the feeder to cycle them. */
class WorkloadMixTest {

  @Test
  void theMixHoldsEveryLineOfEachWorkloadAndTheFeederCyclesThem() {
    WorkloadMix mix =
        WorkloadMix.load(WorkloadMix.fixturesDir(), List.of("code", "chat", "repetitive"), 42);
    int size = mix.requests().size();
    assertEquals(30 + 24 + 30, size);
    Set<String> workloads = new HashSet<>();
    Iterator<Map<String, Object>> feeder = mix.feeder();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < size; i++) {
      WorkloadMix.Request r = (WorkloadMix.Request) feeder.next().get(WorkloadMix.KEY);
      workloads.add(r.workload());
      seen.add(r.workload() + "/" + r.id());
    }
    assertEquals(size, seen.size(), "one pass of the feeder serves each line once");
    assertEquals(Set.of("code", "chat", "repetitive"), workloads);
    WorkloadMix.Request again = (WorkloadMix.Request) feeder.next().get(WorkloadMix.KEY);
    assertEquals(mix.requests().get(0), again);
  }

  @Test
  void requestsBecomeTheRightApiCalls() {
    WorkloadMix mix = WorkloadMix.load(WorkloadMix.fixturesDir(), List.of("chat", "code"), 1);
    for (WorkloadMix.Request r : mix.requests()) {
      var body = SseStreamingClient.body(r, 16);
      var proto = GrpcStreamingClient.toProto(r, 16);
      assertTrue(body.getInteger("max_tokens") <= 16);
      assertEquals(body.getInteger("max_tokens"), proto.getMaxTokens());
      assertEquals(r.chat(), body.containsKey("messages"));
      assertEquals(r.chat(), proto.hasMessages());
      assertTrue(body.getBoolean("stream"));
    }
  }
}
