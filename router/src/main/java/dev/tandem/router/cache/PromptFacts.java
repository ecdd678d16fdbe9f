package dev.tandem.router.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What two prompts must share for one's answer to serve the other, read from the text: the numbers
 * in order, the negations, the named entities in order (capitalised words not opening a sentence,
 * identifiers with capitals or digits inside), and the content terms (lower case, stop words and
 * question framing removed, a few synonyms folded, light suffix stripping). Semantic caches that
 * compare embeddings alone answer "180 °F" with the answer for "100 °F", "not included" with
 * "included" and "Bob pays Alice" with "Alice pays Bob": these facts are what a {@link
 * SemanticGuard} compares beyond the similarity threshold.
 *
 * @param numbers numbers and number words, normalised ("twelve" → "12"), in order
 * @param negations negation cues, sorted ("not", "never", "n't" → "not", ...)
 * @param entities named entities, lower-cased, in order
 * @param terms content terms, sorted and distinct
 */
public record PromptFacts(
    List<String> numbers, List<String> negations, List<String> entities, List<String> terms) {

  public PromptFacts {
    numbers = List.copyOf(numbers);
    negations = List.copyOf(negations);
    entities = List.copyOf(entities);
    terms = List.copyOf(terms);
  }

  private static final Pattern WORD =
      Pattern.compile("[\\p{L}\\p{N}_]+(?:['’.\\-][\\p{L}\\p{N}_]+)*");

  private static final Set<String> NEGATIONS =
      Set.of(
          "not", "no", "never", "none", "nothing", "nobody", "neither", "nor", "without", "cannot",
          "n't");

  private static final Map<String, String> NUMBER_WORDS =
      Map.ofEntries(
          Map.entry("zero", "0"),
          Map.entry("one", "1"),
          Map.entry("two", "2"),
          Map.entry("three", "3"),
          Map.entry("four", "4"),
          Map.entry("five", "5"),
          Map.entry("six", "6"),
          Map.entry("seven", "7"),
          Map.entry("eight", "8"),
          Map.entry("nine", "9"),
          Map.entry("ten", "10"),
          Map.entry("eleven", "11"),
          Map.entry("twelve", "12"),
          Map.entry("twenty", "20"),
          Map.entry("hundred", "100"),
          Map.entry("thousand", "1000"),
          Map.entry("million", "1000000"),
          Map.entry("first", "1st"),
          Map.entry("second", "2nd"),
          Map.entry("third", "3rd"),
          Map.entry("half", "1/2"),
          Map.entry("once", "1x"),
          Map.entry("twice", "2x"),
          Map.entry("double", "2x"),
          Map.entry("triple", "3x"));

  /**
   * Words that carry no content of their own here: articles, pronouns, auxiliaries, prepositions
   * and the framing of a question ("how do I", "what is the way to", "explain", "show me"). Words
   * that change what is asked (why, when, where, not, all, only, ...) are not in the list.
   */
  private static final Set<String> STOP_WORDS =
      Set.of(
          "a",
          "an",
          "the",
          "this",
          "that",
          "these",
          "those",
          "it",
          "its",
          "i",
          "me",
          "my",
          "we",
          "our",
          "you",
          "your",
          "is",
          "are",
          "was",
          "were",
          "be",
          "been",
          "being",
          "am",
          "do",
          "does",
          "did",
          "done",
          "doing",
          "can",
          "could",
          "would",
          "should",
          "shall",
          "may",
          "might",
          "will",
          "must",
          "have",
          "has",
          "had",
          "of",
          "to",
          "in",
          "on",
          "at",
          "for",
          "from",
          "by",
          "with",
          "into",
          "onto",
          "about",
          "as",
          "and",
          "or",
          "so",
          "if",
          "then",
          "than",
          "there",
          "here",
          "some",
          "any",
          "how",
          "what",
          "which",
          "way",
          "ways",
          "method",
          "best",
          "please",
          "tell",
          "show",
          "explain",
          "describe",
          "give",
          "want",
          "need",
          "know",
          "find",
          "out",
          "get",
          "purpose",
          "possible",
          "use",
          "using",
          "used",
          "via",
          "help",
          "let",
          "like",
          "just",
          "also",
          "each",
          "one's",
          "between",
          "up",
          "thing",
          "things",
          "mean",
          "meaning",
          "means");

  private static final Map<String, String> SYNONYMS =
      Map.ofEntries(
          Map.entry("dict", "dictionary"),
          Map.entry("dicts", "dictionary"),
          Map.entry("dir", "directory"),
          Map.entry("dirs", "directory"),
          Map.entry("folder", "directory"),
          Map.entry("folders", "directory"),
          Map.entry("func", "function"),
          Map.entry("funcs", "function"),
          Map.entry("arg", "argument"),
          Map.entry("args", "argument"),
          Map.entry("str", "string"),
          Map.entry("int", "integer"),
          Map.entry("ints", "integer"),
          Map.entry("make", "create"),
          Map.entry("makes", "create"),
          Map.entry("making", "create"),
          Map.entry("made", "create"),
          Map.entry("differ", "difference"),
          Map.entry("differs", "difference"),
          Map.entry("different", "difference"),
          Map.entry("returning", "return"),
          Map.entry("nth", "nth"),
          Map.entry("lowercase", "lowercase"));

  /** Two-word spellings folded into one term ("lower case" → "lowercase"). */
  private static final Map<String, String> COMPOUNDS =
      Map.of(
          "lower case",
          "lowercase",
          "upper case",
          "uppercase",
          "file name",
          "filename",
          "line break",
          "newline",
          "new line",
          "newline");

  /** Reads the facts of {@code text}. Pure and thread-safe. */
  public static PromptFacts of(String text) {
    List<String> numbers = new ArrayList<>();
    List<String> negations = new ArrayList<>();
    List<String> entities = new ArrayList<>();
    TreeSet<String> terms = new TreeSet<>();
    Matcher m = WORD.matcher(text);
    boolean sentenceStart = true;
    int lastEnd = 0;
    String previous = null;
    while (m.find()) {
      String between = text.substring(lastEnd, m.start());
      if (between.matches("(?s).*[.!?:\\n].*") || lastEnd == 0) {
        sentenceStart = true;
      }
      lastEnd = m.end();
      String raw = m.group();
      String word = raw.toLowerCase(Locale.ROOT).replace('’', '\'');
      if (word.endsWith("n't")) {
        negations.add("not");
        word = word.substring(0, word.length() - 3);
      }
      if (NEGATIONS.contains(word)) {
        negations.add(word.equals("cannot") ? "not" : word);
        sentenceStart = false;
        previous = null;
        continue;
      }
      if (isNumber(word)) {
        numbers.add(normaliseNumber(word));
      } else if (NUMBER_WORDS.containsKey(word)) {
        numbers.add(NUMBER_WORDS.get(word));
      }
      if (isEntity(raw, sentenceStart)) {
        entities.add(word);
      }
      sentenceStart = false;
      if (word.endsWith("'s")) {
        word = word.substring(0, word.length() - 2);
      }
      word = word.replace("-", "");
      if (previous != null && COMPOUNDS.containsKey(previous + " " + word)) {
        terms.remove(term(previous));
        terms.add(term(COMPOUNDS.get(previous + " " + word)));
        previous = null;
        continue;
      }
      previous = word;
      if (!STOP_WORDS.contains(word) && !word.isEmpty()) {
        terms.add(term(word));
      }
    }
    negations.sort(null);
    return new PromptFacts(numbers, negations, entities, List.copyOf(terms));
  }

  /** A content word's term: synonyms folded, then the suffix stripped. */
  static String term(String word) {
    String folded = SYNONYMS.getOrDefault(word, word);
    return isNumber(folded) ? folded : stem(folded);
  }

  /** Light suffix stripping, enough for plurals and -ing/-ed forms to meet their stem. */
  static String stem(String word) {
    String w = word;
    if (w.length() > 4 && w.endsWith("ies")) {
      w = w.substring(0, w.length() - 3) + "y";
    } else if (w.length() > 4 && (w.endsWith("sses") || w.endsWith("xes") || w.endsWith("ches"))) {
      w = w.substring(0, w.length() - 2);
    } else if (w.length() > 3 && w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us")) {
      w = w.substring(0, w.length() - 1);
    }
    if (w.length() > 5 && w.endsWith("ing")) {
      w = w.substring(0, w.length() - 3);
    } else if (w.length() > 4 && w.endsWith("ed")) {
      w = w.substring(0, w.length() - 2);
    }
    if (w.length() > 4 && w.endsWith("e")) {
      w = w.substring(0, w.length() - 1);
    }
    if (w.length() > 3
        && w.charAt(w.length() - 1) == w.charAt(w.length() - 2)
        && "bdgmnprt".indexOf(w.charAt(w.length() - 1)) >= 0) {
      w = w.substring(0, w.length() - 1); // running -> runn -> run
    }
    return w;
  }

  private static boolean isNumber(String word) {
    for (int i = 0; i < word.length(); i++) {
      if (Character.isDigit(word.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /** Digits as written, thousands separators and a trailing ".0" dropped. */
  private static String normaliseNumber(String word) {
    String n = word.replace(",", "");
    return n.endsWith(".0") ? n.substring(0, n.length() - 2) : n;
  }

  /**
   * A capitalised word that does not open a sentence, or an identifier with a capital or a digit
   * after its first character (IPv6, getOpt, utf8).
   */
  private static boolean isEntity(String raw, boolean sentenceStart) {
    if (raw.length() < 2 && !Character.isUpperCase(raw.charAt(0))) {
      return false;
    }
    boolean innerMarked = false;
    for (int i = 1; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (Character.isUpperCase(c) || Character.isDigit(c)) {
        innerMarked = true;
        break;
      }
    }
    boolean capitalised = Character.isUpperCase(raw.charAt(0));
    return innerMarked && Character.isLetter(raw.charAt(0))
        || capitalised && !sentenceStart && !raw.equals("I");
  }
}
