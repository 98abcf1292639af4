package dev.agentguard.spring.web;

import dev.agentguard.langchain4j.GuardBlockedException;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Answers a {@link GuardBlockedException} that reaches a Spring MVC or WebFlux controller with the problem response
 * of {@link GuardProblems}. Off with {@code agent-guard.web.problem-details=false}; an application's own
 * {@code @ExceptionHandler} for the exception in its controller wins over this advice.
 */
@RestControllerAdvice
public class GuardProblemAdvice {

    private final GuardProblems problems;

    /** @param problems how refusals are answered */
    public GuardProblemAdvice(GuardProblems problems) {
        this.problems = problems;
    }

    /**
     * @param refused the refusal
     * @return its problem response
     */
    @ExceptionHandler(GuardBlockedException.class)
    public ResponseEntity<ProblemDetail> refused(GuardBlockedException refused) {
        return problems.refused(refused);
    }
}
