package dev.tandem.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.speccore.SamplingParams;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {
  @TempDir java.nio.file.Path tmp;

  @Test
  void readsLlamaFieldsWithGqaAndDefaultHeadDim() throws IOException {
    ModelConfig c = ModelConfig.load(TinyModels.dir("tiny-gqa-f32"));
    assertEquals(64, c.hiddenSize());
    assertEquals(4, c.numHeads());
    assertEquals(2, c.numKvHeads());
    assertEquals(16, c.headDim());
    assertEquals(32, c.kvDim());
    assertEquals(272, c.vocabSize());
    assertFalse(c.tieWordEmbeddings());
    assertEquals(0, c.bosTokenId());
    assertArrayEquals(new int[] {0}, c.eosTokenIds());
  }

  @Test
  void eosMayBeAListAndEmbeddingsTied() throws IOException {
    ModelConfig c = ModelConfig.load(TinyModels.dir("tiny-mqa-bf16-tied"));
    assertArrayEquals(new int[] {0, 270}, c.eosTokenIds());
    assertTrue(c.isEos(270));
    assertFalse(c.isEos(1));
    assertTrue(c.tieWordEmbeddings());
    assertEquals(1, c.numKvHeads());
    assertEquals(500000.0, c.ropeTheta());
  }

  @Test
  void generationConfigGivesSamplingDefaults() throws IOException {
    GenerationConfig g = GenerationConfig.load(TinyModels.dir("tiny-gqa-f32"));
    assertEquals(new SamplingParams(0.8f, 0.9f, 40, 5L), g.samplingParams(5L));
    // do_sample absent: greedy, as in HF
    GenerationConfig plain = GenerationConfig.load(TinyModels.dir("tiny-mqa-bf16-tied"));
    assertEquals(SamplingParams.GREEDY, plain.samplingParams(5L));
    assertArrayEquals(new int[] {0, 270}, plain.eosTokenIds());
    // no file: HF defaults
    assertEquals(GenerationConfig.DEFAULT, GenerationConfig.load(tmp));
  }
}
