/**
 * The runnable demo (the README's main command): five scenarios of a LangChain4j agent through the real OpenAI
 * client against the embedded simulator, on simulated time, printing the decision log, the calls made and the
 * audit file's verified chain; and its fleet mode ({@code -Ddemo.fleet=N}), where N JVMs share one budget in Redis.
 */
package dev.agentguard.examples.demo;
