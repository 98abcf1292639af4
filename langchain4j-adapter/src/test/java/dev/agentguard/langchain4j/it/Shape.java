package dev.agentguard.langchain4j.it;

/** One provider payload and the cost it must be recorded at, worked out by hand from the feed's rates. */
final class Shape {
    final String name;
    final String model;
    final String payload;
    final long expectedNanos;

    Shape(String name, String model, String payload, long expectedNanos) {
        this.name = name;
        this.model = model;
        this.payload = payload;
        this.expectedNanos = expectedNanos;
    }

    @Override
    public String toString() {
        return name;
    }
}
