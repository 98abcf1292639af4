/**
 * The actuator side: the {@code agentguard} endpoint (budgets and their fill, suspensions, stopped sessions, recent
 * refusals; operator actions as write operations) and the guard's health (audit writer, ledger), in a neutral form
 * and as a health indicator for each Spring Boot generation.
 */
package dev.agentguard.spring.actuate;
