package dev.agentguard.core.pricing;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A genai-prices match rule: which model names (or provider ids) an entry stands for.
 *
 * <p>Semantics are those of genai-prices' {@code Clause*} classes ({@code packages/python/genai_prices/types.py}
 * at 47df840a; the JS {@code matchLogic} agrees): {@code equals}, {@code starts_with}, {@code ends_with} and
 * {@code contains} compare case-insensitively (both sides lower-cased); {@code regex} is a case-sensitive
 * <em>search</em> anywhere in the text ({@code re.search}, here {@link java.util.regex.Matcher#find()}) on the text
 * as given, which the catalog has already lower-cased, as genai-prices does; {@code or} is any, {@code and} is all.
 * The extractors' {@code array-match} is not a name rule and is not supported here.
 */
sealed interface MatchClause {

    /**
     * @param text a model name or provider id
     * @return true if the rule matches it
     */
    boolean matches(String text);

    private static String lower(String text) {
        return text.toLowerCase(Locale.ROOT);
    }

    /** {@code {"equals": value}}. */
    record Equals(String value) implements MatchClause {
        public Equals {
            value = lower(value);
        }

        @Override
        public boolean matches(String text) {
            return lower(text).equals(value);
        }
    }

    /** {@code {"starts_with": prefix}}. */
    record StartsWith(String prefix) implements MatchClause {
        public StartsWith {
            prefix = lower(prefix);
        }

        @Override
        public boolean matches(String text) {
            return lower(text).startsWith(prefix);
        }
    }

    /** {@code {"ends_with": suffix}}. */
    record EndsWith(String suffix) implements MatchClause {
        public EndsWith {
            suffix = lower(suffix);
        }

        @Override
        public boolean matches(String text) {
            return lower(text).endsWith(suffix);
        }
    }

    /** {@code {"contains": part}}. */
    record Contains(String part) implements MatchClause {
        public Contains {
            part = lower(part);
        }

        @Override
        public boolean matches(String text) {
            return lower(text).contains(part);
        }
    }

    /** {@code {"regex": pattern}}: found anywhere in the text, case-sensitively. */
    record Regex(Pattern pattern) implements MatchClause {
        @Override
        public boolean matches(String text) {
            return pattern.matcher(text).find();
        }
    }

    /** {@code {"or": [..]}}: any clause matches (none: false). */
    record Or(List<MatchClause> clauses) implements MatchClause {
        public Or {
            clauses = List.copyOf(clauses);
        }

        @Override
        public boolean matches(String text) {
            for (MatchClause clause : clauses) {
                if (clause.matches(text)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** {@code {"and": [..]}}: every clause matches (none: true). */
    record And(List<MatchClause> clauses) implements MatchClause {
        public And {
            clauses = List.copyOf(clauses);
        }

        @Override
        public boolean matches(String text) {
            for (MatchClause clause : clauses) {
                if (!clause.matches(text)) {
                    return false;
                }
            }
            return true;
        }
    }
}
