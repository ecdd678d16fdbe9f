package dev.tandem.router.boot;

import dev.tandem.model.ModelConfig;
import dev.tandem.model.Tokenizer;
import dev.tandem.router.engine.PromptCodec;
import java.util.HashSet;
import java.util.Set;

/** A model's HF tokenizer and its BOS/EOS ids as the engine's {@link PromptCodec}. Thread-safe. */
public record TokenizerCodec(Tokenizer tokenizer, int bosToken, Set<Integer> eosTokens)
    implements PromptCodec {

  public static TokenizerCodec of(Tokenizer tokenizer, ModelConfig config) {
    Set<Integer> eos = new HashSet<>();
    for (int id : config.eosTokenIds()) {
      eos.add(id);
    }
    return new TokenizerCodec(tokenizer, config.bosTokenId(), Set.copyOf(eos));
  }

  @Override
  public int[] encode(String text) {
    return tokenizer.encode(text);
  }

  @Override
  public byte[] tokenBytes(int token) {
    return tokenizer.isSpecial(token) ? new byte[0] : tokenizer.tokenBytes(token);
  }
}
