/**
 * Who is calling, from the HTTP request: a servlet filter and a WebFlux filter that bind the
 * {@link dev.agentguard.core.GuardScope} from headers, the authenticated principal and a tenant resolver; and the
 * RFC 9457 problem response that a refusal becomes.
 */
package dev.agentguard.spring.web;
