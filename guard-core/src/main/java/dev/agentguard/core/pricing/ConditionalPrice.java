package dev.agentguard.core.pricing;

import java.util.Objects;

/**
 * A price and the constraint under which it applies; {@code constraint == null} means always.
 */
record ConditionalPrice(PriceConstraint constraint, ModelPrice price) {

    ConditionalPrice {
        Objects.requireNonNull(price, "price");
    }

    boolean activeAt(long epochMillis) {
        return constraint == null || constraint.activeAt(epochMillis);
    }
}
