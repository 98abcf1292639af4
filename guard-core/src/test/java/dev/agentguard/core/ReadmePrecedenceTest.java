package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's precedence sentence is the order {@link Action#isTighterThan} implements, and names every action. */
class ReadmePrecedenceTest {

    @Test
    void theReadmeOrderIsTheCodesOrder() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        Matcher line = Pattern.compile("the tightest action wins: ((?:`\\w+`(?: > )?)+)").matcher(readme.replace('\n', ' '));
        assertThat(line.find()).as("the README states the precedence").isTrue();
        List<Action> quoted = new ArrayList<>();
        Matcher word = Pattern.compile("`(\\w+)`").matcher(line.group(1));
        while (word.find()) {
            String id = word.group(1);
            quoted.add(java.util.Arrays.stream(Action.values()).filter(a -> a.id().equals(id)).findFirst()
                    .orElseThrow(() -> new AssertionError("no action " + id)));
        }
        List<Action> preCall = new ArrayList<>(List.of(Action.values()));
        preCall.remove(Action.RECORD);
        assertThat(quoted).as("every pre-call action, once").containsExactlyInAnyOrderElementsOf(preCall);
        for (int i = 0; i + 1 < quoted.size(); i++) {
            assertThat(quoted.get(i).isTighterThan(quoted.get(i + 1))).as(quoted.get(i) + " > " + quoted.get(i + 1))
                    .isTrue();
        }
    }
}
