package dev.agentguard.core.redact;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A kind of sensitive text that a {@link Redactor} can remove; policies name them in {@code audit.redact}.
 * Each class replaces what it finds with {@code [REDACTED:<label>]}.
 */
public enum RedactionClass {
    /**
     * Credentials: API keys of OpenAI ({@code sk-…}, {@code sk-proj-…}), Anthropic ({@code sk-ant-…}), AWS
     * ({@code AKIA…}, and secret access keys: 40 characters of mixed-case base64), GitHub ({@code ghp_…},
     * {@code github_pat_…}, 40-hex tokens where the text says GitHub), Google ({@code AIza…}, {@code ya29.…}), Slack
     * ({@code xox…}, webhook URLs), Stripe ({@code sk_live_…}, {@code whsec_…}) and GitLab; passwords in URLs
     * ({@code postgres://user:pw@host}); bearer and basic credentials; JWTs; PEM and PGP private keys; and the
     * values of fields named like {@code password}, {@code pass}, {@code pin}, {@code passcode}, {@code secret},
     * {@code token}, {@code apiKey}, {@code accessKey}, {@code privateKey}, {@code credentials} or {@code cookie}
     * ({@code Set-Cookie}). Label {@code secret}.
     */
    SECRETS("secrets", "secret"),
    /** E-mail addresses. Label {@code email}. */
    EMAILS("emails", "email"),
    /**
     * Payment card numbers of 13 to 19 digits, with a card network's prefix, that pass the Luhn check, also when
     * written as a JSON number (label {@code card}); and IBANs, compact or in groups of four, with valid check
     * digits (label {@code iban}).
     */
    CARDS("cards", "card"),
    /**
     * Phone numbers: E.164 ({@code +44 20 7946 0958}), North-American ({@code (415) 555-0132}, {@code 415-555-0132})
     * including ten bare digits whose area code and exchange start with 2-9 ({@code 4155550132}), and national
     * numbers with a trunk 0 and separators ({@code 020 7946 0958}, {@code 06 12 34 56 78}); not dates, UUIDs, IP
     * addresses, versions, Unix times or other digit runs. Label {@code phone}.
     */
    PHONES("phones", "phone");

    private final String id;
    private final String label;

    RedactionClass(String id, String label) {
        this.id = id;
        this.label = label;
    }

    /** @return the id used in policies: {@code secrets}, {@code emails}, {@code cards} or {@code phones} */
    public String id() {
        return id;
    }

    /** @return the label in the replacement text, e.g. {@code email} in {@code [REDACTED:email]} */
    public String label() {
        return label;
    }

    /**
     * @param id a class id as written in a policy, any case
     * @return the class
     * @throws IllegalArgumentException naming the id and the valid ones if there is no such class
     */
    public static RedactionClass of(String id) {
        String wanted = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
        for (RedactionClass c : values()) {
            if (c.id.equals(wanted)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown redaction class \"" + id + "\"; expected one of "
                + Arrays.stream(values()).map(RedactionClass::id).collect(Collectors.joining(", ")));
    }
}
