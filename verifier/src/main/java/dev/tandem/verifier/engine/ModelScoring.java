package dev.tandem.verifier.engine;

import dev.tandem.model.Logits;
import dev.tandem.model.Model;
import dev.tandem.model.Sequence;
import dev.tandem.model.SequenceInput;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A loaded {@link Model} as the engine's {@link ScoringModel}: batched forwards run through {@link
 * Model#forwardBatchAsync} on the model runtime's executor.
 *
 * <p>Threading: as {@link ScoringModel}; the futures complete on a model thread.
 */
public final class ModelScoring implements ScoringModel {

  private final String name;
  private final Model model;

  /**
   * @param name the model's id (e.g. its directory name), used in logs and as the verifier's name
   */
  public ModelScoring(String name, Model model) {
    this.name = name;
    this.model = model;
  }

  public Model model() {
    return model;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int vocabSize() {
    return model.config().vocabSize();
  }

  @Override
  public int contextLength() {
    return model.config().maxPositionEmbeddings();
  }

  @Override
  public int parallelForwards() {
    return model.runtime().threads();
  }

  @Override
  public boolean positionsCostThroughput() {
    return !model.onAccelerator();
  }

  @Override
  public ScoringSequence newSequence(int capacity) {
    return new ModelSequence(model.newSequence(capacity));
  }

  @Override
  public CompletableFuture<List<float[][]>> forward(List<Input> inputs) {
    List<SequenceInput> batch = new ArrayList<>(inputs.size());
    for (Input input : inputs) {
      Sequence sequence = ((ModelSequence) input.sequence()).sequence;
      batch.add(new SequenceInput(sequence, input.tokens(), input.allLogits()));
    }
    return model.forwardBatchAsync(batch).thenApply(ModelScoring::rows);
  }

  // per input: Logits [rows, vocab] -> float[rows][vocab]
  private static List<float[][]> rows(List<Logits> logits) {
    List<float[][]> out = new ArrayList<>(logits.size());
    for (Logits block : logits) {
      float[][] rows = new float[block.rows()][];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = block.row(i);
      }
      out.add(rows);
    }
    return out;
  }

  private record ModelSequence(Sequence sequence) implements ScoringSequence {
    @Override
    public int length() {
      return sequence.length();
    }

    @Override
    public int capacity() {
      return sequence.capacity();
    }

    @Override
    public void truncate(int newLength) {
      sequence.truncate(newLength);
    }
  }
}
