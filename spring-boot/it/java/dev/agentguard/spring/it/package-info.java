/** The starter's integration test, run on every supported Spring Boot version (it-boot3, it-boot4). */
package dev.agentguard.spring.it;
