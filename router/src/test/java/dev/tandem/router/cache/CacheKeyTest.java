package dev.tandem.router.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.speccore.SamplingParams;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the exact key reads, and what it deliberately ignores. */
class CacheKeyTest {

  static String key(SamplingParams s, int maxTokens, List<String> stop, String prompt) {
    return CacheKey.exact(CacheKey.scope("acme", "large", "m", s, maxTokens, stop), prompt);
  }

  static final SamplingParams GREEDY = SamplingParams.GREEDY;

  @Test
  void greedyRequestsIgnoreTopPTopKAndSeedArgmaxReadsNoneOfThem() {
    assertEquals(
        key(GREEDY, 8, List.of(), "p"),
        key(new SamplingParams(0f, 0.5f, 40, 1234L), 8, List.of(), "p"));
  }

  @Test
  void aSeededSampledRequestKeysOnEverySamplingParameter() {
    SamplingParams base = new SamplingParams(0.7f, 0.9f, 40, 7L);
    String k = key(base, 8, List.of(), "p");
    assertEquals(k, key(new SamplingParams(0.7f, 0.9f, 40, 7L), 8, List.of(), "p"));
    assertNotEquals(k, key(new SamplingParams(0.7f, 0.9f, 40, 8L), 8, List.of(), "p"));
    assertNotEquals(k, key(new SamplingParams(0.8f, 0.9f, 40, 7L), 8, List.of(), "p"));
    assertNotEquals(k, key(new SamplingParams(0.7f, 0.8f, 40, 7L), 8, List.of(), "p"));
    assertNotEquals(k, key(new SamplingParams(0.7f, 0.9f, 41, 7L), 8, List.of(), "p"));
    assertNotEquals(k, key(GREEDY, 8, List.of(), "p"));
  }

  @Test
  void stopSequencesAreASetOrderAndRepeatsDoNotChangeWhereAStreamStops() {
    assertEquals(
        key(GREEDY, 8, List.of("a", "b"), "p"), key(GREEDY, 8, List.of("b", "a", "b"), "p"));
    assertNotEquals(key(GREEDY, 8, List.of("a"), "p"), key(GREEDY, 8, List.of("a", "b"), "p"));
  }

  @Test
  void tenantTierModelMaxTokensAndThePromptAsTheModelReadsItAllCount() {
    String scope = CacheKey.scope("acme", "large", "m", GREEDY, 8, List.of());
    String k = CacheKey.exact(scope, "Hello world");
    assertNotEquals(
        k,
        CacheKey.exact(CacheKey.scope("other", "large", "m", GREEDY, 8, List.of()), "Hello world"));
    assertNotEquals(
        k,
        CacheKey.exact(CacheKey.scope("acme", "small", "m", GREEDY, 8, List.of()), "Hello world"));
    assertNotEquals(
        k,
        CacheKey.exact(CacheKey.scope("acme", "large", "m2", GREEDY, 8, List.of()), "Hello world"));
    assertNotEquals(
        k,
        CacheKey.exact(CacheKey.scope("acme", "large", "m", GREEDY, 9, List.of()), "Hello world"));
    // whitespace and case change the tokens, so they change the key
    assertNotEquals(k, CacheKey.exact(scope, "Hello  world"));
    assertNotEquals(k, CacheKey.exact(scope, "hello world"));
    assertNotEquals(k, CacheKey.exact(scope, "Hello world "));
  }

  @Test
  void fieldsAreLengthPrefixedSoBoundariesCannotBeForged() {
    assertNotEquals(
        CacheKey.scope("ab", "c", "m", GREEDY, 8, List.of()),
        CacheKey.scope("a", "bc", "m", GREEDY, 8, List.of()));
    assertNotEquals(key(GREEDY, 8, List.of("a|b"), "p"), key(GREEDY, 8, List.of("a", "b"), "p"));
    assertTrue(key(GREEDY, 8, List.of(), "p").matches("[0-9a-f]{32}"));
  }
}
