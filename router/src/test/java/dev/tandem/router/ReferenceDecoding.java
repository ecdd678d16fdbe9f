package dev.tandem.router;

import dev.tandem.model.Model;
import dev.tandem.model.ModelRuntime;
import dev.tandem.model.Sequence;
import java.util.ArrayList;
import java.util.List;

/** What the router must reproduce: the model's own plain greedy decoding, without the router. */
final class ReferenceDecoding {

  private ReferenceDecoding() {}

  /** [BOS] + prompt, then argmax token by token until an EOS token or {@code n} tokens. */
  static List<Integer> greedy(ModelRuntime runtime, Model model, String prompt, int n)
      throws Exception {
    return runtime
        .submit(
            () -> {
              int[] ids = model.tokenizer().encode(prompt);
              int[] withBos = new int[ids.length + 1];
              withBos[0] = model.config().bosTokenId();
              System.arraycopy(ids, 0, withBos, 1, ids.length);
              Sequence seq = model.newSequence(withBos.length + n + 1);
              List<Integer> out = new ArrayList<>();
              int token = model.prefill(seq, withBos).argmax(0);
              while (out.size() < n && !isEos(model, token)) {
                out.add(token);
                token = model.forward(seq, new int[] {token}).argmax(0);
              }
              return out;
            })
        .get();
  }

  private static boolean isEos(Model model, int token) {
    for (int eos : model.config().eosTokenIds()) {
      if (eos == token) {
        return true;
      }
    }
    return false;
  }
}
