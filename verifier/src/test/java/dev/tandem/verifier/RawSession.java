package dev.tandem.verifier;

import dev.tandem.proto.v1.VerifierGrpc;
import dev.tandem.proto.v1.VerifierRequest;
import dev.tandem.proto.v1.VerifierResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One {@code Verifier/Session} stream through grpc-java, an independent client: send requests, read
 * responses, see the final status, cancel.
 */
final class RawSession {

  private final BlockingQueue<VerifierResponse> responses = new LinkedBlockingQueue<>();
  private final CompletableFuture<Status> status = new CompletableFuture<>();
  private final ClientCallStreamObserver<VerifierRequest> requests;

  RawSession(ManagedChannel channel, long deadlineMs) {
    VerifierGrpc.VerifierStub stub = VerifierGrpc.newStub(channel);
    if (deadlineMs > 0) {
      stub = stub.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }
    requests =
        (ClientCallStreamObserver<VerifierRequest>)
            stub.session(
                new StreamObserver<>() {
                  @Override
                  public void onNext(VerifierResponse value) {
                    responses.add(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    status.complete(Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    status.complete(Status.OK);
                  }
                });
  }

  RawSession send(VerifierRequest request) {
    requests.onNext(request);
    return this;
  }

  /** The next response, or fails after 10 s. */
  VerifierResponse next() throws InterruptedException {
    VerifierResponse response = responses.poll(10, TimeUnit.SECONDS);
    if (response == null) {
      throw new AssertionError("no response within 10 s; status " + status.getNow(null));
    }
    return response;
  }

  /** The stream's final status (waits up to 10 s). */
  Status status() throws Exception {
    return status.get(10, TimeUnit.SECONDS);
  }

  void halfClose() {
    requests.onCompleted();
  }

  void cancel() {
    requests.cancel("test cancels", null);
  }
}
