package dev.tandem.router.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The facts a prompt is read into, and the guard's verdicts on near misses and paraphrases. */
class SemanticGuardTest {

  static Optional<String> terms(String cached, String incoming) {
    return SemanticGuard.TERMS.reject(PromptFacts.of(cached), PromptFacts.of(incoming));
  }

  static Optional<String> facts(String cached, String incoming) {
    return SemanticGuard.FACTS.reject(PromptFacts.of(cached), PromptFacts.of(incoming));
  }

  @Test
  void factsReadNumbersInOrderNegationsEntitiesAndContentTerms() {
    PromptFacts f = PromptFacts.of("Why doesn't Alice pay Bob twelve dollars? Not 10.");
    assertEquals(List.of("12", "10"), f.numbers());
    assertEquals(List.of("not", "not"), f.negations());
    assertEquals(List.of("alice", "bob"), f.entities());
    assertTrue(f.terms().containsAll(List.of("why", "pay", "dollar")), f.terms().toString());
  }

  @Test
  void changedNumbersNegationsAndSwappedNamesAreRefusedEvenByTheFactsGuard() {
    assertEquals(
        Optional.of("numbers"),
        facts(
            "Convert 100 degrees Fahrenheit to Celsius.",
            "Convert 180 degrees Fahrenheit to Celsius."));
    assertEquals(
        Optional.of("numbers"),
        facts("What changed in Python 3.11?", "What changed in Python 3.12?"));
    assertEquals(
        Optional.of("negation"),
        facts(
            "Which files are included in the package?",
            "Which files are not included in the package?"));
    assertEquals(Optional.of("negation"), facts("Does it block?", "Doesn't it block?"));
    assertEquals(Optional.of("entities"), facts("Alice pays Bob.", "So Bob pays Alice."));
    assertEquals(
        Optional.of("entities"), facts("Write a greeting for Alice.", "Write a greeting for Bob."));
  }

  @Test
  void oneChangedContentWordIsRefusedByTheTermsGuardOnly() {
    String a = "How do I reverse a list in Python?";
    String b = "How do I reverse a string in Python?";
    assertEquals(Optional.empty(), facts(a, b));
    assertEquals(Optional.of("terms"), terms(a, b));
    assertEquals(
        Optional.of("terms"),
        terms("How do I enable IPv6 in Debian?", "How do I disable IPv6 in Debian?"));
    assertEquals(
        Optional.of("terms"),
        terms("What license does the jq package use?", "What license does the less package use?"));
  }

  @Test
  void paraphrasesThatOnlyReframeTheQuestionPass() {
    assertEquals(
        Optional.empty(),
        terms("How do I reverse a list in Python?", "What is the way to reverse a Python list?"));
    assertEquals(
        Optional.empty(),
        terms("How do I sort a dictionary by its values?", "How can I sort a dict by value?"));
    assertEquals(
        Optional.empty(),
        terms(
            "Convert a string to lowercase in Python.",
            "How do I convert a Python string to lower case?"));
    assertEquals(
        Optional.empty(),
        terms(
            "Write a function that returns the n-th Fibonacci number.",
            "Write a function returning the nth Fibonacci number."));
  }

  @Test
  void offLetsEverythingThrough() {
    assertEquals(
        Optional.empty(),
        SemanticGuard.OFF.reject(PromptFacts.of("not 1 Alice"), PromptFacts.of("2 Bob")));
  }
}
