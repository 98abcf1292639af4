package dev.agentguard.core.redact;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.List;
import java.util.function.Predicate;

/**
 * One redaction expression: a cheap pre-check, the pattern, an optional validation of the match (Luhn for cards)
 * and the replacement. The built-in rules of each {@link RedactionClass} live here.
 *
 * <p>Every expression runs on RE2/J, an automaton without backtracking: a search costs time linear in the text
 * (times the size of the expression), uses no stack in proportion to the input and cannot overflow it, whatever
 * the input. RE2 has no look-around, so what must not come before or after a match is matched as context outside
 * group 1 (the part replaced), and the next search starts where group 1 ended.
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
    private final java.util.function.ToIntFunction<String> accept;
    private final boolean keepQuotes;

    private TextRule(String label, String regex, PreCheck preCheck, Predicate<String> valid, boolean keepQuotes) {
        this(label, Pattern.compile(regex), 1, preCheck, valid, keepQuotes);
    }

    /** A rule whose candidates are cut to the part {@code accept} returns the length of (or -1 for none). */
    private TextRule(String label, String regex, PreCheck preCheck, java.util.function.ToIntFunction<String> accept) {
        this(label, Pattern.compile(regex), 1, preCheck, null, false, accept);
    }

    private TextRule(String label, Pattern pattern, int group, PreCheck preCheck, Predicate<String> valid,
            boolean keepQuotes) {
        this(label, pattern, group, preCheck, valid, keepQuotes, null);
    }

    private TextRule(String label, Pattern pattern, int group, PreCheck preCheck, Predicate<String> valid,
            boolean keepQuotes, java.util.function.ToIntFunction<String> accept) {
        this.accept = accept;
        this.placeholder = "[REDACTED:" + label + ']'; // not Redactor.placeholder: this class may initialise first
        this.pattern = pattern;
        this.group = group;
        this.preCheck = preCheck;
        this.valid = valid;
        this.keepQuotes = keepQuotes;
    }

    /**
     * @param label the custom label
     * @param pattern a compiled RE2/J pattern; every match (group 0) is replaced
     * @return the rule
     */
    static TextRule custom(String label, Pattern pattern) {
        return new TextRule(label, pattern, 0, (t, p) -> true, null, false);
    }

    boolean mayMatch(String text, Redactor.Probe probe) {
        return preCheck.mayMatch(text, probe);
    }

    /** @return the expression, for tests that check the engine */
    Pattern pattern() {
        return pattern;
    }

    String apply(String text, Redactor.Probe probe) {
        if (!preCheck.mayMatch(text, probe)) {
            return text;
        }
        Matcher m = pattern.matcher(text);
        StringBuilder out = null;
        int last = 0;
        int from = 0;
        int length = text.length();
        while (from <= length && m.find(from)) {
            int start = m.start(group);
            int end = m.end(group);
            // always move forward: past group 1, or one past the start of an empty match
            from = Math.max(end, m.start() + 1);
            if (start < 0 || start == end || start < last) {
                continue;
            }
            String found = text.substring(start, end);
            if (accept != null) {
                int accepted = accept.applyAsInt(found);
                if (accepted <= 0) {
                    continue;
                }
                end = start + accepted;
                found = found.substring(0, accepted);
            }
            if (found.startsWith("[REDACTED:") || (valid != null && !valid.test(found))) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(length + 16);
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
        return out == null ? text : out.append(text, last, length).toString();
    }

    // ---------------------------------------------------------------- built-in rules

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
                case 'w':
                    if (d == 'h' && t.charAt(i + 2) == 's') {
                        return true;
                    }
                    break;
                case 'y':
                    if (d == 'a' && t.charAt(i + 2) == '2') {
                        return true;
                    }
                    break;
                default:
                    break;
            }
        }
        return false;
    }

    private static final String[] CREDENTIAL_WORDS = {"pass", "pwd", "pin", "secret", "token", "key", "credential",
        "authorization", "cookie"};

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
        return wordBeforeSeparator(t, probe, KV_WORDS);
    }

    private static boolean wordBeforeSeparator(String t, Redactor.Probe probe, String[] words) {
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
            for (String w : words) {
                int start = end - w.length();
                if (start >= 0 && t.regionMatches(true, start, w, 0, w.length())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static final String[] SHORT_KV_WORDS = {"pass", "pin"};

    private static final String[] KV_WORDS = {"password", "passwd", "passphrase", "passcode", "pwd", "secret",
        "token", "key", "credential", "credentials", "cookie"};

    private static final String SECRET = RedactionClass.SECRETS.label();

    // What a look-behind and a look-ahead said in the old expressions is matched here as context outside group 1:
    // a character (or the start) before, a character (or the end) after. The next search starts at the end of
    // group 1, so the context character after one match can be the context before the next.
    private static final String TOKEN_BEFORE = "(?:^|[^A-Za-z0-9_-])";
    private static final String TOKEN_AFTER = "(?:$|[^A-Za-z0-9_-])";
    /** Not followed by a word character, nor by one of {@code .,:/-} and a digit (a date, a version, an IP). */
    private static final String NUMBER_AFTER = "(?:$|[^0-9A-Za-z_.,:/-]|[.,:/-](?:$|[^0-9]))";
    private static final String NUMBER_BEFORE = "(?:^|[^0-9A-Za-z_.+/:-])";

    private static List<TextRule> secrets() {
        return List.of(
            // PEM and PGP private keys, whole block (an unterminated block to the end of the text)
            new TextRule(SECRET, "(-----BEGIN[A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----[\\s\\S]*?"
                    + "(?:-----END[A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----|$))",
                    containsAny("-----BEGIN"), null, false),
            // JWT: header.payload.signature, both JSON parts base64url of '{"'
            new TextRule(SECRET, TOKEN_BEFORE + "(eyJ[A-Za-z0-9_-]{6,}\\.eyJ[A-Za-z0-9_-]{6,}\\.[A-Za-z0-9_-]*)"
                    + TOKEN_AFTER, containsAny("eyJ"), null, false),
            // API keys with a vendor prefix
            new TextRule(SECRET, TOKEN_BEFORE + "((?:"
                    + "sk-(?:proj-|ant-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}"      // OpenAI, Anthropic
                    + "|(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}"   // AWS access key ids
                    + "|gh[pousr]_[A-Za-z0-9]{30,}"                                 // GitHub tokens
                    + "|github_pat_[A-Za-z0-9_]{22,}"                               // GitHub fine-grained
                    + "|AIza[0-9A-Za-z_-]{35}"                                      // Google API keys
                    + "|ya29\\.[0-9A-Za-z_-]{20,}"                                  // Google OAuth access tokens
                    + "|xox[abposre]-[A-Za-z0-9-]{10,}"                             // Slack
                    + "|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"                   // Stripe
                    + "|whsec_[A-Za-z0-9]{20,}"                                     // Stripe webhook secrets
                    + "|glpat-[A-Za-z0-9_-]{20,}"                                   // GitLab
                    + "))" + TOKEN_AFTER,
                    (t, p) -> mayHoldVendorKey(t), null, false),
            // Slack incoming-webhook and workflow URLs: the path is the credential
            new TextRule(SECRET, "hooks\\.slack\\.com/(?:services|workflows|triggers)/([A-Za-z0-9_/-]+)",
                    containsAny("hooks.slack.com"), null, false),
            // the password of a URL, whatever the host looks like: postgres://admin:pw@db-internal
            new TextRule(SECRET, "(?i)(?:^|[^a-z0-9+.-])[a-z][a-z0-9+.-]{0,30}://[^\\s/?#@:\"'<>]{0,256}:"
                    + "([^\\s/?#@\"'<>]{1,256})@", containsAny("://"), null, false),
            // Authorization header values, whatever the scheme
            new TextRule(SECRET, "(?i)authorization[\"']?\\s*[:=]\\s*[\"']?"
                    + "(?:(?:basic|bearer|token|digest|apikey|api-key)\\s+)?([^\\s\"',;]+)",
                    containsIgnoreCase("authorization"), null, false),
            // bearer credentials in prose or headers
            new TextRule(SECRET, "(?i)(?:^|[^A-Za-z0-9_])bearer\\s+([A-Za-z0-9._~+/-]{16,}=*)",
                    containsIgnoreCase("bearer"), null, false),
            // key=value and "key": "value" where the key names a credential
            new TextRule(SECRET, "(?i)(?:^|[^A-Za-z0-9])[A-Za-z0-9_.-]{0,40}?"
                    + "(?:password|passwd|passphrase|passcode|pwd|secret|token|api[_-]?key|access[_-]?key"
                    + "|private[_-]?key|credentials?|cookie)[\"']?\\s*[:=]\\s*"
                    + "(\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'|[^\\s\"',;&}\\]]+)",
                    TextRule::credentialKeyBeforeSeparator, null, true),
            // pass=... and "pin": "..." as whole words (or the last word of user_pass, card-pin), not spin: 3
            new TextRule(SECRET, "(?i)(?:^|[^A-Za-z0-9_.-])[\"']?(?:[A-Za-z0-9]{1,20}[_.-])?(?:pass|pin)[\"']?\\s*"
                    + "[:=]\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'|[^\\s\"',;&}\\]]+)",
                    (t, p) -> wordBeforeSeparator(t, p, SHORT_KV_WORDS), null, true),
            // a 40-hex GitHub token (the classic OAuth form) where the text says it is a GitHub credential
            new TextRule(SECRET, "(?i)git[ _-]?hub[^\\n]{0,40}?(?:token|pat|oauth|key|secret|credential)"
                    + "[^\\n]{0,40}?(?:^|[^0-9A-Za-z])([0-9a-f]{40})(?:$|[^0-9A-Za-z])",
                    containsIgnoreCase("hub"), null, false),
            // an AWS secret access key in prose: 40 characters of base64 with upper case, lower case and digits
            new TextRule(SECRET, "(?:^|[^A-Za-z0-9/+=])([A-Za-z0-9/+]{40})(?:$|[^A-Za-z0-9/+=])",
                    (t, p) -> p.base64Run40, TextRule::isMixedBase64, false));
    }

    private static final List<TextRule> SECRETS = secrets();

    // e-mail addresses: RE2 finds a candidate (a simple expression, cheap to run), which starts at the first letter
    // or digit (so that "...jane@example.com" loses no more than its dots); emailLength keeps the longest part that
    // is an address: labels, then a top-level domain of 2 to 24 letters
    private static final List<TextRule> EMAILS = List.of(new TextRule(RedactionClass.EMAILS.label(),
            "(?:^|[^A-Za-z0-9._%+-])[._%+-]*([A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9][A-Za-z0-9.-]*)",
            (t, p) -> p.at, TextRule::emailLength));

    /**
     * @param candidate {@code local@domain}, the domain made of letters, digits, dots and dashes
     * @return the length of the longest prefix that is an address whose domain is labels and a top-level domain
     *     of letters (the rest is not part of it), or -1
     */
    static int emailLength(String candidate) {
        int at = candidate.indexOf('@');
        int best = -1;
        int labelStart = at + 1;
        int labels = 0;
        for (int i = at + 1; i <= candidate.length(); i++) {
            if (i < candidate.length() && candidate.charAt(i) != '.') {
                continue;
            }
            if (!isLabel(candidate, labelStart, i)) {
                break; // every label before the top-level domain must be one
            }
            if (labels > 0 && isTopLevel(candidate, labelStart, i)) {
                best = i;
            }
            labels++;
            labelStart = i + 1;
        }
        return best;
    }

    private static boolean isLabel(String s, int from, int to) {
        if (to <= from || s.charAt(from) == '-' || s.charAt(to - 1) == '-') {
            return false;
        }
        return true; // the candidate's expression allows only letters, digits and dashes between dots
    }

    private static boolean isTopLevel(String s, int from, int to) {
        if (to - from < 2 || to - from > 24) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
                return false;
            }
        }
        return true;
    }

    private static final List<TextRule> CARDS = List.of(
            new TextRule(RedactionClass.CARDS.label(),
                    "(?:^|[^0-9A-Za-z.,_-])((?:[0-9][ -]?){12,18}[0-9])(?:$|[^0-9A-Za-z_.,-]|[.,-](?:$|[^0-9]))",
                    (t, p) -> p.digitRun >= 13, TextRule::isCardNumber, false),
            // IBANs, compact or in groups of four, with a valid mod-97 check
            new TextRule("iban", "(?:^|[^A-Za-z0-9])([A-Z]{2}[0-9]{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}"
                    + "(?: [A-Z0-9]{1,3})?))(?:$|[^A-Za-z0-9])",
                    (t, p) -> p.ibanStart, TextRule::isIban, false));

    private static final List<TextRule> PHONES = List.of(
            // E.164 and international forms: +<country> then groups
            new TextRule(RedactionClass.PHONES.label(), "(?:^|[^0-9A-Za-z_+])(\\+(?:[0-9]{8,15}"
                    + "|[0-9]{1,3}(?:[ .-]?\\([0-9]{1,4}\\)[ .-]?[0-9]{1,6}|[ .-][0-9]{1,6}){2,6}))" + NUMBER_AFTER,
                    (t, p) -> p.plus && p.digitRun >= 8, TextRule::isE164Length, false),
            // North American: (415) 555-0132, 415-555-0132, 415.555.0132, 1-800-555-0199
            new TextRule(RedactionClass.PHONES.label(), NUMBER_BEFORE
                    + "((?:1[ .-])?(?:\\([0-9]{3}\\)[ .-]?|[0-9]{3}[ .-])[0-9]{3}[ .-][0-9]{4})" + NUMBER_AFTER,
                    (t, p) -> p.digitRun >= 10, null, false),
            // North American without separators: 4155550132 (area code and exchange start with 2-9, so that a
            // Unix time in seconds, which starts with 1 until 2033, is left alone)
            new TextRule(RedactionClass.PHONES.label(), NUMBER_BEFORE + "([2-9][0-9]{2}[2-9][0-9]{6})" + NUMBER_AFTER,
                    (t, p) -> p.digitRun >= 10, null, false),
            // national numbers with a trunk 0 and at least one space or dash: 020 7946 0958, 07700 900123, and in
            // pairs: 06 12 34 56 78
            new TextRule(RedactionClass.PHONES.label(), NUMBER_BEFORE
                    + "(0[0-9]{1,4}[ -][0-9]{3,4}[ -]?[0-9]{3,4}|0[1-9](?:[ .-][0-9]{2}){4})" + NUMBER_AFTER,
                    (t, p) -> p.digitRun >= 8, null, false));

    /** Upper case, lower case and a digit: what a random base64 key has and a hash in hex or a word does not. */
    static boolean isMixedBase64(String candidate) {
        boolean upper = false;
        boolean lower = false;
        boolean digit = false;
        for (int i = 0; i < candidate.length(); i++) {
            char c = candidate.charAt(i);
            upper |= c >= 'A' && c <= 'Z';
            lower |= c >= 'a' && c <= 'z';
            digit |= c >= '0' && c <= '9';
        }
        return upper && lower && digit;
    }

    /** An IBAN of 15 to 34 characters whose check digits are right (ISO 13616: the number mod 97 is 1). */
    static boolean isIban(String candidate) {
        String s = candidate.replace(" ", "");
        if (s.length() < 15 || s.length() > 34) {
            return false;
        }
        String moved = s.substring(4) + s.substring(0, 4);
        int mod = 0;
        for (int i = 0; i < moved.length(); i++) {
            char c = moved.charAt(i);
            int v = c >= '0' && c <= '9' ? c - '0' : c - 'A' + 10;
            mod = v > 9 ? (mod * 100 + v) % 97 : (mod * 10 + v) % 97;
        }
        return mod == 1;
    }

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
