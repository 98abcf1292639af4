package dev.agentguard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Reads a logging configuration (Logback or Log4j 2 XML, or Spring Boot {@code logging.level.*} properties) far
 * enough to tell the level that applies to one logger: the most specific {@code logger} element among the logger's
 * name and its parents, else the root. External entities and DTDs are never loaded.
 */
final class LoggingConfig {

    /** The files looked for, in this order, in a directory and its {@code src/main/resources}. */
    static final List<String> NAMES = List.of("logback.xml", "logback-spring.xml", "log4j2.xml", "log4j2-spring.xml",
            "application.properties");

    /**
     * What the configuration says about a logger.
     *
     * @param level the level that applies, upper case (e.g. {@code INFO}), or null when the file sets none
     * @param from the element or key it comes from, e.g. {@code <logger name="agentguard">} or {@code <root>}
     * @param noAppender true if that logger stops at itself ({@code additivity="false"}) without an appender
     */
    record Level(String level, String from, boolean noAppender) {
    }

    private LoggingConfig() {
    }

    /**
     * @param dir where an application keeps its configuration
     * @return the first logging configuration found in {@code dir}, {@code dir/src/main/resources} or
     *     {@code dir/config}
     */
    static Optional<Path> find(Path dir) {
        for (Path base : List.of(dir, dir.resolve("src/main/resources"), dir.resolve("config"))) {
            for (String n : NAMES) {
                Path p = base.resolve(n);
                if (Files.isRegularFile(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * @param file a logging configuration
     * @param logger a logger name, e.g. {@code agentguard.decision}
     * @return the level that applies to it
     * @throws IOException if the file cannot be read or parsed
     */
    static Level levelOf(Path file, String logger) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".properties")) {
            return fromProperties(file, logger);
        }
        return fromXml(file, logger);
    }

    private static List<String> namesFromMostSpecific(String logger) {
        List<String> names = new ArrayList<>();
        for (String n = logger; !n.isEmpty(); n = n.contains(".") ? n.substring(0, n.lastIndexOf('.')) : "") {
            names.add(n);
        }
        return names;
    }

    private static Level fromProperties(Path file, String logger) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        for (String n : namesFromMostSpecific(logger)) {
            String v = p.getProperty("logging.level." + n);
            if (v != null) {
                return new Level(v.trim().toUpperCase(Locale.ROOT), "logging.level." + n, false);
            }
        }
        String root = p.getProperty("logging.level.root");
        return new Level(root == null ? null : root.trim().toUpperCase(Locale.ROOT), "logging.level.root", false);
    }

    private static Level fromXml(Path file, String logger) throws IOException {
        Document doc;
        try (InputStream in = Files.newInputStream(file)) {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setExpandEntityReferences(false);
            f.setXIncludeAware(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null); // errors are thrown, not printed on standard error
            doc = b.parse(in);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(file + " is not XML that can be read: " + e.getMessage(), e);
        }
        List<Element> loggers = new ArrayList<>();
        Element root = null;
        NodeList all = doc.getElementsByTagName("*");
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            String tag = e.getTagName().toLowerCase(Locale.ROOT);
            if (tag.equals("logger") || tag.equals("asynclogger")) {
                loggers.add(e);
            } else if (tag.equals("root") || tag.equals("asyncroot")) {
                root = e;
            }
        }
        for (String n : namesFromMostSpecific(logger)) {
            for (Element e : loggers) {
                if (n.equals(e.getAttribute("name"))) {
                    String level = level(e);
                    if (level != null) {
                        return new Level(level, "<" + e.getTagName() + " name=\"" + n + "\">", stops(e));
                    }
                }
            }
        }
        return new Level(root == null ? null : level(root), "<" + (root == null ? "root" : root.getTagName()) + ">",
                false);
    }

    /** The {@code level} attribute, or a {@code <level value=…>} child (old Logback style). */
    private static String level(Element e) {
        String a = e.getAttribute("level");
        if (!a.isEmpty()) {
            return a.trim().toUpperCase(Locale.ROOT);
        }
        NodeList children = e.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            Node c = children.item(i);
            if (c instanceof Element l && l.getTagName().equalsIgnoreCase("level")) {
                return l.getAttribute("value").trim().toUpperCase(Locale.ROOT);
            }
        }
        return null;
    }

    /** @return true if the logger does not pass events up (additivity false) and has no appender of its own */
    private static boolean stops(Element e) {
        if (!"false".equalsIgnoreCase(e.getAttribute("additivity"))) {
            return false;
        }
        NodeList children = e.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element c) {
                String tag = c.getTagName().toLowerCase(Locale.ROOT);
                if (tag.equals("appender-ref") || tag.equals("appenderref")) {
                    return false;
                }
            }
        }
        return true;
    }
}
