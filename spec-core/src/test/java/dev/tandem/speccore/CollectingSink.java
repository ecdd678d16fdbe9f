package dev.tandem.speccore;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A sink that records every call and always continues at once. */
class CollectingSink implements TokenSink {

  final List<int[]> calls = new ArrayList<>();

  @Override
  public synchronized CompletionStage<SinkSignal> onTokens(int[] tokens) {
    calls.add(tokens);
    return CompletableFuture.completedFuture(SinkSignal.CONTINUE);
  }

  synchronized int[] tokens() {
    return calls.stream().flatMapToInt(java.util.Arrays::stream).toArray();
  }
}
