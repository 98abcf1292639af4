/**
 * JMH benchmarks. Run {@code java -jar benchmarks/target/benchmarks.jar} after {@code ./mvnw -B verify}.
 */
package dev.agentguard.benchmarks;
