package dev.agentguard.core.redact;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One redaction expression: a cheap pre-check, the pattern, the group to replace, an optional validation of the
 * match (Luhn for cards) and the replacement. The built-in rules of each {@link RedactionClass} live here.
 */
final class TextRule {

    /** What must hold of a text for the rule to possibly match. */
    @FunctionalInterface
    interface PreCheck {
        boolean mayMatch(String text, Redactor.Probe probe);
    }

    private final String placeholder;
    private final Pattern pattern;
    private final int group;
    private final PreCheck preCheck;
    private final Predicate<String> valid;
    private final boolean keepQuotes;

    private TextRule(String label, Pattern pattern, int group, PreCheck preCheck, Predicate<String> valid,
            boolean keepQuotes) {
        this.placeholder = Redactor.placeholder(label);
        this.pattern = pattern;
        this.group = group;
        this.preCheck = preCheck;
        this.valid = valid;
        this.keepQuotes = keepQuotes;
    }

    static TextRule custom(String label, Pattern pattern) {
        return new TextRule(label, pattern, 0, (t, p) -> true, null, false);
    }

    boolean mayMatch(String text, Redactor.Probe probe) {
        return preCheck.mayMatch(text, probe);
    }

    String apply(String text, Redactor.Probe probe) {
        if (!preCheck.mayMatch(text, probe)) {
            return text;
        }
        Matcher m = pattern.matcher(text);
        StringBuilder out = null;
        int last = 0;
        while (m.find()) {
            int start = m.start(group);
            int end = m.end(group);
            if (start < 0 || start == end) {
                continue;
            }
            String found = text.substring(start, end);
            if (found.startsWith("[REDACTED:") || (valid != null && !valid.test(found))) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length() + 16);
            }
            out.append(text, last, start);
            char q = found.charAt(0);
            if (keepQuotes && (q == '"' || q == '\'') && found.length() >= 2) {
                out.append(q).append(placeholder).append(q);
            } else {
                out.append(placeholder);
            }
            last = end;
        }
        return out == null ? text : out.append(text, last, text.length()).toString();
    }

    // ---------------------------------------------------------------- built-in rules

    private static final String TOKEN_END = "(?![A-Za-z0-9_-])";
    private static final String TOKEN_START = "(?<![A-Za-z0-9_-])";

    static List<TextRule> builtIn(RedactionClass c) {
        switch (c) {
            case SECRETS:
                return SECRETS;
            case EMAILS:
                return EMAILS;
            case CARDS:
                return CARDS;
            case PHONES:
                return PHONES;
            default:
                throw new AssertionError(c);
        }
    }

    private static PreCheck containsAny(String... markers) {
        return (t, p) -> {
            for (String m : markers) {
                if (t.contains(m)) {
                    return true;
                }
            }
            return false;
        };
    }

    private static PreCheck containsIgnoreCase(String lowerMarker) {
        return (t, p) -> indexOfIgnoreCase(t, lowerMarker, 0) >= 0;
    }

    private static int indexOfIgnoreCase(String t, String lowerMarker, int from) {
        int n = lowerMarker.length();
        char first = lowerMarker.charAt(0);
        for (int i = from; i <= t.length() - n; i++) {
            if (Character.toLowerCase(t.charAt(i)) == first && t.regionMatches(true, i, lowerMarker, 0, n)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether a vendor key prefix ({@code sk-}, {@code AKIA}, {@code ghp_}, {@code xox}…) occurs: one pass. */
    private static boolean mayHoldVendorKey(String t) {
        int n = t.length();
        for (int i = 0; i + 3 < n; i++) {
            char c = t.charAt(i);
            char d = t.charAt(i + 1);
            switch (c) {
                case 's':
                case 'r':
                    if (d == 'k' && (t.charAt(i + 2) == '-' || t.charAt(i + 2) == '_')) {
                        return true;
                    }
                    break;
                case 'A':
                    if (d == 'K' || d == 'S' || d == 'G' || d == 'I' || d == 'R' || d == 'N') {
                        return true;
                    }
                    break;
                case 'g':
                    if (d == 'h' || d == 'i' || d == 'l') {
                        return true;
                    }
                    break;
                case 'x':
                    if (d == 'o' && t.charAt(i + 2) == 'x') {
                        return true;
                    }
                    break;
                default:
                    break;
            }
        }
        return false;
    }

    private static final String[] CREDENTIAL_WORDS = {"pass", "pwd", "secret", "token", "key", "credential",
        "authorization"};

    /**
     * Whether a word that may name a credential occurs, ignoring case and the separators {@code _ - . } and
     * space inside it ({@code pass_word}): a necessary condition for a sensitive JSON key.
     */
    static boolean mayHoldCredentialWord(String t) {
        StringBuilder sb = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c != '_' && c != '-' && c != '.' && c != ' ') {
                sb.append(Character.toLowerCase(c));
            }
        }
        String folded = sb.toString();
        for (String w : CREDENTIAL_WORDS) {
            if (folded.contains(w)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether some {@code :} or {@code =} follows (past quotes and spaces) a word ending like a credential name:
     * the key-value rule's necessary condition, so that "would pass its limit: $2" costs no regex.
     */
    private static boolean credentialKeyBeforeSeparator(String t, Redactor.Probe probe) {
        if (!probe.colonOrEquals) {
            return false;
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c != ':' && c != '=') {
                continue;
            }
            int j = i - 1;
            while (j >= 0 && (Character.isWhitespace(t.charAt(j)) || t.charAt(j) == '"' || t.charAt(j) == '\'')) {
                j--;
            }
            int end = j + 1;
            for (String w : KV_WORDS) {
                int start = end - w.length();
                if (start >= 0 && t.regionMatches(true, start, w, 0, w.length())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static final String[] KV_WORDS = {"password", "passwd", "passphrase", "pwd", "secret", "token", "key",
        "credential", "credentials"};

    private static final String SECRET = RedactionClass.SECRETS.label();

    private static final List<TextRule> SECRETS = List.of(
            // PEM private keys, whole block
            new TextRule(SECRET, Pattern.compile(
                    "-----BEGIN[A-Z ]{0,40}PRIVATE KEY-----[\\s\\S]*?(?:-----END[A-Z ]{0,40}PRIVATE KEY-----|$)"),
                    0, containsAny("-----BEGIN"), null, false),
            // JWT: header.payload.signature, both JSON parts base64url of '{"'
            new TextRule(SECRET, Pattern.compile(TOKEN_START
                    + "eyJ[A-Za-z0-9_-]{6,}\\.eyJ[A-Za-z0-9_-]{6,}\\.[A-Za-z0-9_-]*" + TOKEN_END),
                    0, containsAny("eyJ"), null, false),
            // API keys with a vendor prefix
            new TextRule(SECRET, Pattern.compile(TOKEN_START + "(?:"
                    + "sk-(?:proj-|ant-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}"      // OpenAI, Anthropic
                    + "|(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}"   // AWS access key ids
                    + "|gh[pousr]_[A-Za-z0-9]{30,}"                                 // GitHub tokens
                    + "|github_pat_[A-Za-z0-9_]{22,}"                               // GitHub fine-grained
                    + "|AIza[0-9A-Za-z_-]{35}"                                      // Google API keys
                    + "|xox[abposre]-[A-Za-z0-9-]{10,}"                             // Slack
                    + "|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"                   // Stripe
                    + "|glpat-[A-Za-z0-9_-]{20,}"                                   // GitLab
                    + ")" + TOKEN_END),
                    0, (t, p) -> mayHoldVendorKey(t), null, false),
            // Authorization header values, whatever the scheme
            new TextRule(SECRET, Pattern.compile("(?i)authorization[\"']?\\s*[:=]\\s*[\"']?"
                    + "(?:(?:basic|bearer|token|digest|apikey|api-key)\\s+)?([^\\s\"',;]+)"),
                    1, containsIgnoreCase("authorization"), null, false),
            // bearer credentials in prose or headers
            new TextRule(SECRET, Pattern.compile("(?i)\\bbearer\\s+([A-Za-z0-9._~+/-]{16,}=*)"),
                    1, containsIgnoreCase("bearer"), null, false),
            // key=value and "key": "value" where the key names a credential
            new TextRule(SECRET, Pattern.compile("(?i)(?<![A-Za-z0-9])[A-Za-z0-9_.-]{0,40}?"
                    + "(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key"
                    + "|credentials?)[\"']?\\s*[:=]\\s*"
                    + "(\"(?:[^\"\\\\]++|\\\\.)*+\"|'[^']*+'|[^\\s\"',;&}\\]]++)"),
                    1, TextRule::credentialKeyBeforeSeparator, null, true));

    private static final List<TextRule> EMAILS = List.of(new TextRule(RedactionClass.EMAILS.label(),
            Pattern.compile("(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
                    + "[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*"
                    + "\\.[A-Za-z]{2,24}(?![A-Za-z0-9-])"),
            0, (t, p) -> p.at, null, false));

    private static final List<TextRule> CARDS = List.of(new TextRule(RedactionClass.CARDS.label(),
            Pattern.compile("(?<![0-9A-Za-z.,_-])(?:\\d[ -]?){12,18}\\d(?![0-9A-Za-z_]|[.,-]\\d)"),
            0, (t, p) -> p.digitRun >= 13, TextRule::isCardNumber, false));

    private static final List<TextRule> PHONES = List.of(
            // E.164 and international forms: +<country> then groups
            // (each group of the spaced form starts with a separator or a parenthesis, so there is one way to match)
            new TextRule(RedactionClass.PHONES.label(), Pattern.compile("(?<![\\w+])\\+(?:\\d{8,15}"
                    + "|\\d{1,3}(?:[ .-]?\\(\\d{1,4}\\)[ .-]?\\d{1,6}|[ .-]\\d{1,6}){2,6})(?![\\w]|[.,:/-]\\d)"),
                    0, (t, p) -> p.plus && p.digitRun >= 8, TextRule::isE164Length, false),
            // North American: (415) 555-0132, 415-555-0132, 415.555.0132, 1-800-555-0199
            new TextRule(RedactionClass.PHONES.label(), Pattern.compile(
                    "(?<![\\w.+/:-])(?:1[ .-])?(?:\\(\\d{3}\\)[ .-]?|\\d{3}[ .-])\\d{3}[ .-]\\d{4}(?![\\w]|[.,:/-]\\d)"),
                    0, (t, p) -> p.digitRun >= 10, null, false),
            // national numbers with a trunk 0 and at least one space or dash: 020 7946 0958, 07700 900123
            new TextRule(RedactionClass.PHONES.label(), Pattern.compile(
                    "(?<![\\w.+/:-])0\\d{1,4}[ -]\\d{3,4}[ -]?\\d{3,4}(?![\\w]|[.,:/-]\\d)"),
                    0, (t, p) -> p.digitRun >= 8, null, false));

    /** 13 to 19 digits, a card network's prefix, and a valid Luhn check digit. */
    static boolean isCardNumber(String candidate) {
        StringBuilder d = new StringBuilder(19);
        for (int i = 0; i < candidate.length(); i++) {
            char c = candidate.charAt(i);
            if (c >= '0' && c <= '9') {
                d.append(c);
            }
        }
        int n = d.length();
        if (n < 13 || n > 19 || !hasCardPrefix(d, n)) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < n; i++) {
            int digit = d.charAt(n - 1 - i) - '0';
            if (i % 2 == 1) {
                digit *= 2;
                if (digit > 9) {
                    digit -= 9;
                }
            }
            sum += digit;
        }
        return sum % 10 == 0;
    }

    private static boolean hasCardPrefix(CharSequence d, int n) {
        int p2 = Integer.parseInt(d.subSequence(0, 2).toString());
        int p4 = Integer.parseInt(d.subSequence(0, 4).toString());
        int p3 = p4 / 10;
        if (d.charAt(0) == '4') {
            return n == 13 || n == 16 || n == 19; // Visa
        }
        if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) {
            return n == 16; // Mastercard
        }
        if (p2 == 34 || p2 == 37) {
            return n == 15; // American Express
        }
        if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649) || p2 == 62) {
            return n >= 16; // Discover, UnionPay
        }
        if (p4 >= 3528 && p4 <= 3589) {
            return n >= 16; // JCB
        }
        if ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39) {
            return n >= 14; // Diners Club
        }
        return p2 == 50 || (p2 >= 56 && p2 <= 58) || p2 == 63 || p2 == 67; // Maestro
    }

    /** E.164 numbers have at most 15 digits; fewer than 8 is a short code or a figure, not a phone number. */
    static boolean isE164Length(String candidate) {
        int digits = 0;
        for (int i = 0; i < candidate.length(); i++) {
            char c = candidate.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            }
        }
        return digits >= 8 && digits <= 15;
    }
}
