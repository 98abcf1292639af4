package dev.agentguard.core.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Captures what one logger writes during each test, every level from DEBUG, without passing it on to the
 * console; the logger is restored after the test. Register it with {@code @RegisterExtension}.
 */
public class CapturedLog implements BeforeEachCallback, AfterEachCallback {

    private final Logger logger;
    private Level saved;
    private ListAppender<ILoggingEvent> appender;

    /** @param loggerName the logger to capture */
    public CapturedLog(String loggerName) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
    }

    /** @param type the class whose logger to capture */
    public CapturedLog(Class<?> type) {
        this(type.getName());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        saved = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        logger.setAdditive(false);
        appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logger.detachAppender(appender);
        logger.setLevel(saved);
        logger.setAdditive(true);
    }

    /** @return what was logged so far in this test, in order */
    public List<ILoggingEvent> events() {
        return appender.list;
    }

    /** @return the captured logger, to change its level within a test */
    public Logger logger() {
        return logger;
    }
}
