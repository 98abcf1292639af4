package dev.agentguard.core.redact;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 15, item 6: secrets that reached the log and the audit file, each in the form that leaked. */
class MoreSecretsTest {

    private final Redactor all = Redactor.all();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        URL password, host without a dot | connect to postgres://admin:Hunter2pw@db-internal/orders | Hunter2pw
        URL password, host an IP         | mysql://root:S3cr3tPw@10.0.0.5:3306/app                    | S3cr3tPw
        PGP private key block            | -----BEGIN PGP PRIVATE KEY BLOCK-----\\n\\nlQOYBGXa9kMBCAC7\\n=Xy12\\n-----END PGP PRIVATE KEY BLOCK----- | lQOYBGXa9kMBCAC7
        Stripe webhook secret            | signing with whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw now    | whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
        Slack webhook URL                | post to https://hooks.slack.com/services/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 | q8R9s0T1u2V3w4X5y6Z7a8B9
        Google OAuth token               | token ya29.a0AfH6SMBx3kVwqLrM9nP2zT5yU8iO1pQ4sD7fG0hJ was used | a0AfH6SMBx3kVwqLrM9nP2zT5yU8iO1pQ4sD7fG0hJ
        AWS secret key in prose          | the AWS secret is wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ok | wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
        40-hex GitHub token              | my GitHub OAuth token is 3f2a9c4e8b1d7f6a5c3e2b1a0d9f8e7c6b5a4d3e | 3f2a9c4e8b1d7f6a5c3e2b1a0d9f8e7c6b5a4d3e
        compact IBAN                     | pay to DE89370400440532013000 today                           | DE89370400440532013000
        JSON key pass                    | {"user":"bob","pass":"tr0ub4dor"}                              | tr0ub4dor
        JSON key pin                     | {"card":"visa","pin":"4921"}                                   | 4921
        JSON key passcode                | {"passcode":"887766"}                                          | 887766
        JSON key cookie                  | {"cookie":"sid=9fA3kQ"}                                        | 9fA3kQ
        JSON key set-cookie              | {"headers":{"set-cookie":"session=Zx81Lm; Path=/"}}            | Zx81Lm
        bare 10-digit phone              | call me back on 4155550132 please                            | 4155550132
        card as a JSON number            | {"amount":"12.00","card":4111111111111111}                    | 4111111111111111
        card as a JSON decimal number    | {"card":4111111111111111.0}                                   | 4111111111111111
        card as a JSON number, exponent  | {"card":4.111111111111111E15}                                 | 111111111111111
        card as a JSON number in a list  | {"cards":[5555555555554444,1]}                                | 5555555555554444
        """)
    void isRedacted(String what, String text, String needle) {
        String input = text.replace("\\n", "\n");

        String out = input.startsWith("{") ? all.redactArguments(input) : all.redact(input);

        assertThat(out).as(what).doesNotContain(needle).contains("[REDACTED:");
    }
}
