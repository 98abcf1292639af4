package dev.agentguard.core;

/**
 * The default {@link TokenEstimator}: an upper bound, in practice, of what the common tokenizers count, whatever
 * the script. It walks the text once and charges each character by its class and the class before it, the way a
 * byte-level BPE tokenizer splits text before merging it: a word of Latin letters costs a token to start and a
 * fraction per further letter (more after a case change, as in camelCase or base64), a number a token and a third
 * per further digit (tokenizers split numbers in groups of three), a run of punctuation a token to start and half
 * a token per further mark, and a space before a word nothing. Characters of other scripts cost a fixed share of
 * a token each, measured per script (Cyrillic, Greek, Hebrew, Arabic, Devanagari and Bengali, Thai, Chinese, kana,
 * Hangul, accented Latin); a character of a script without a measured share costs as many tokens as its UTF-8
 * bytes, which no byte-level BPE tokenizer exceeds.
 *
 * <p>The shares were fitted on a multilingual corpus against OpenAI's o200k and cl100k tokenizers, with a margin
 * for tokenizers not measured (Anthropic's, Gemini's); a test holds the estimate to that corpus, and the ratios it
 * measures are in the project's {@code BENCHMARKS.md}. Text that is not language (random letters, rare ideographs in random order) can count
 * more than this estimate: give such a prompt a count of your own, or use a real tokenizer.
 *
 * <p>O(n) in the text's length with two table look-ups per character and no allocation; the tables take 65 KB,
 * once per JVM. Thread-safe and stateless. {@link #classOf} and {@link #cost} expose the walk one character at a
 * time, for a caller that already passes over the text for another reason (the LangChain4j adapter fingerprints
 * the prompt in the same loop).
 */
public final class ScriptAwareEstimator implements TokenEstimator {

    /** Units in which {@link #cost} charges: 24 units make a token. */
    public static final int UNITS_PER_TOKEN = 24;

    /** Tokens per character charged by {@link #estimateChars}, when the script is unknown. */
    static final int TOKENS_PER_CHAR_WITHOUT_TEXT = 2;

    // character classes
    private static final int SPACE = 0;
    private static final int NEWLINE = 1;
    private static final int LOWER = 2;
    private static final int UPPER = 3;
    private static final int DIGIT = 4;
    private static final int PUNCT = 5;
    private static final int LATIN_EXT = 6;
    private static final int CYRILLIC = 7;
    private static final int GREEK = 8;
    private static final int HEBREW = 9;
    private static final int ARABIC = 10;
    private static final int DEVANAGARI_BENGALI = 11;
    private static final int THAI = 12;
    private static final int HAN = 13;
    private static final int KANA = 14;
    private static final int HANGUL = 15;
    private static final int CJK_PUNCT = 16;
    private static final int HIGH_SURROGATE = 17;
    private static final int LOW_SURROGATE = 18;
    private static final int LATIN1_SYMBOL = 19;
    private static final int GENERAL_PUNCT = 20;
    private static final int TWO_BYTES = 21;
    private static final int THREE_BYTES = 22;
    private static final int CLASSES = 23;

    /** The class before a text's first character: a leading space costs nothing, as after a line break. */
    public static final int START = NEWLINE;

    private static final int T = UNITS_PER_TOKEN;

    /** Units per character of a class, after the first character of its run (which costs at least a token). */
    private static final int[] WEIGHT = new int[CLASSES];

    static {
        WEIGHT[LATIN_EXT] = T;
        WEIGHT[CYRILLIC] = 18;
        WEIGHT[GREEK] = 30;
        WEIGHT[HEBREW] = 32;
        WEIGHT[ARABIC] = T;
        WEIGHT[DEVANAGARI_BENGALI] = 42;
        WEIGHT[THAI] = 30;
        WEIGHT[HAN] = 44;
        WEIGHT[KANA] = 28;
        WEIGHT[HANGUL] = 34;
        WEIGHT[CJK_PUNCT] = T;
        WEIGHT[HIGH_SURROGATE] = 4 * T; // a supplementary code point is four UTF-8 bytes
        WEIGHT[LATIN1_SYMBOL] = T;
        WEIGHT[GENERAL_PUNCT] = T;
        WEIGHT[TWO_BYTES] = 2 * T;
        WEIGHT[THREE_BYTES] = 3 * T;
    }

    private static final byte[] CLASS = classes();
    private static final byte[] COST = costs();

    static final ScriptAwareEstimator INSTANCE = new ScriptAwareEstimator();

    private ScriptAwareEstimator() {
    }

    @Override
    public long estimate(CharSequence text) {
        long units = 0;
        int previous = START;
        for (int i = 0, n = text.length(); i < n; i++) {
            int c = CLASS[text.charAt(i)];
            units += COST[(previous << 5 | c) & 1023]; // the mask lets the JIT drop the bounds check
            previous = c;
        }
        return tokens(units);
    }

    /**
     * From a character count alone the script is unknown: charged at two tokens a character, the heaviest share of
     * a measured script (Chinese) rounded up.
     */
    @Override
    public long estimateChars(long chars) {
        return Math.multiplyExact(chars, TOKENS_PER_CHAR_WITHOUT_TEXT);
    }

    /**
     * @param c a character
     * @return its class, for {@link #cost}
     */
    public static int classOf(char c) {
        return CLASS[c];
    }

    /**
     * @param previous the class of the character before, or {@link #START}
     * @param current the class of this character
     * @return what this character adds, in {@link #UNITS_PER_TOKEN} units of a token
     */
    public static int cost(int previous, int current) {
        return COST[(previous << 5 | current) & 1023];
    }

    /**
     * @param units a sum of {@link #cost}s
     * @return the tokens they make, rounded up
     */
    public static long tokens(long units) {
        return (units + T - 1) / T;
    }

    @Override
    public String toString() {
        return "ScriptAwareEstimator";
    }

    private static byte[] costs() {
        byte[] cost = new byte[32 * 32];
        for (int p = 0; p < CLASSES; p++) {
            for (int c = 0; c < CLASSES; c++) {
                cost[p << 5 | c] = (byte) cost(p, c, p == c);
            }
        }
        return cost;
    }

    private static int cost(int previous, int current, boolean same) {
        switch (current) {
            case LOWER:
                return previous == LOWER ? 7 : previous == UPPER ? 10 : T; // a word starts a token
            case UPPER:
                return previous == UPPER ? 20 : T; // lower to upper (camelCase, base64) starts another
            case DIGIT:
                // tokenizers split digits in groups of three; a space before a number is a token of its own
                return previous == DIGIT ? 8 : previous == SPACE ? 2 * T : T;
            case PUNCT:
                return previous == PUNCT ? T / 2 : T;
            case SPACE:
                return previous == SPACE || previous == NEWLINE ? 2 : 0; // one space joins the next word
            case NEWLINE:
                return previous == NEWLINE ? T / 2 : T;
            case LOW_SURROGATE:
                return previous == HIGH_SURROGATE ? 0 : T; // the high surrogate charged the code point
            default:
                return same ? WEIGHT[current] : Math.max(T, WEIGHT[current]);
        }
    }

    private static byte[] classes() {
        byte[] classes = new byte[Character.MAX_VALUE + 1];
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            classes[c] = (byte) classify((char) c);
        }
        return classes;
    }

    private static int classify(char c) {
        if (c < 0x80) {
            if (c == ' ' || c == '\t') {
                return SPACE;
            }
            if (c == '\n' || c == '\r') {
                return NEWLINE;
            }
            if (c >= 'a' && c <= 'z') {
                return LOWER;
            }
            if (c >= 'A' && c <= 'Z') {
                return UPPER;
            }
            return c >= '0' && c <= '9' ? DIGIT : PUNCT;
        }
        if (c < 0xC0) {
            return c == 0xA0 ? SPACE : LATIN1_SYMBOL;
        }
        if (c < 0x370) { // Latin-1 letters, Latin Extended-A and -B, IPA, modifiers, combining marks
            return c == 0xD7 || c == 0xF7 ? LATIN1_SYMBOL : LATIN_EXT;
        }
        if (c < 0x400) {
            return GREEK;
        }
        if (c < 0x530) {
            return CYRILLIC;
        }
        if (c >= 0x590 && c < 0x600) {
            return HEBREW;
        }
        if (c >= 0x600 && c < 0x700) {
            return ARABIC;
        }
        if (c < 0x800) {
            return TWO_BYTES;
        }
        if (c >= 0x900 && c < 0xA00) {
            return DEVANAGARI_BENGALI;
        }
        if (c >= 0xE00 && c < 0xE80) {
            return THAI;
        }
        if (c >= 0x1100 && c < 0x1200 || c >= 0x3130 && c < 0x3190 || c >= 0xAC00 && c < 0xD7B0) {
            return HANGUL;
        }
        if (c >= 0x1E00 && c < 0x1F00) { // Latin Extended Additional (Vietnamese)
            return LATIN_EXT;
        }
        if (c >= 0x2000 && c < 0x2070 || c >= 0xFE00 && c < 0xFE10) { // punctuation, joiners, variation selectors
            return GENERAL_PUNCT;
        }
        if (c >= 0x3000 && c < 0x3040 || c >= 0xFF00 && c < 0xFFF0) { // CJK punctuation, full-width forms
            return CJK_PUNCT;
        }
        if (c >= 0x3040 && c < 0x3100) {
            return KANA;
        }
        if (c >= 0x4E00 && c < 0xA000 || c >= 0xF900 && c < 0xFB00) { // CJK unified and compatibility ideographs
            return HAN;
        }
        if (Character.isHighSurrogate(c)) {
            return HIGH_SURROGATE;
        }
        if (Character.isLowSurrogate(c)) {
            return LOW_SURROGATE;
        }
        return THREE_BYTES;
    }
}
