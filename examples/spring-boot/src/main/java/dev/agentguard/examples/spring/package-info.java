/**
 * The Spring Boot example: a support assistant behind {@code POST /chat}, an AI service with an order tool, the
 * real OpenAI client on the demo's simulator, guarded by the starter from {@code policies/support.yaml}.
 */
package dev.agentguard.examples.spring;
