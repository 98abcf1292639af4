/**
 * Model prices: what a call costs, exactly, and the most it can cost before it is made.
 *
 * <ul>
 *   <li>{@link dev.agentguard.core.pricing.PriceCatalog} finds a model's prices by provider and model name;
 *       {@link dev.agentguard.core.pricing.PriceCatalog#bundled()} is the genai-prices v2 feed shipped in this jar,
 *       and newer copies of that feed, LiteLLM's {@code model_prices_and_context_window.json} and per-model
 *       overrides can be loaded and layered in front of it. A model no catalog knows is not found, never free.</li>
 *   <li>{@link dev.agentguard.core.pricing.PricedModel} is a lookup result: provider, catalog model id and the
 *       price that applies at a given instant (dated and time-of-day prices).</li>
 *   <li>{@link dev.agentguard.core.pricing.ModelPrice} holds one set of rates and computes
 *       {@link dev.agentguard.core.pricing.ModelPrice#costNanos(dev.agentguard.core.common.Usage)} and
 *       {@link dev.agentguard.core.pricing.ModelPrice#worstCaseNanos(long, long)} in integer nano-dollars, without
 *       {@code double}, {@code BigDecimal} or allocation.</li>
 * </ul>
 *
 * <p>The bundled data is {@code prices/new_data/v2/data_slim.json} of
 * <a href="https://github.com/pydantic/genai-prices">pydantic/genai-prices</a> at commit 47df840a (2026-08-21),
 * byte for byte, under the MIT licence (resource {@code LICENSE-genai-prices}; provenance and checksum in
 * {@code snapshot.properties}). Its semantics (match rules, provider fallbacks, tiers, conditional prices) follow
 * that project's Python package at the same commit; each class says which part it follows.
 */
package dev.agentguard.core.pricing;
