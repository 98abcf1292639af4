package dev.agentguard.core.audit;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Opens the audit file for writing; a seam so that tests can simulate a full disk. */
interface AuditStorage {

    /** The file system. */
    AuditStorage FILES = file -> Files.newByteChannel(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);

    /**
     * @param file the file to open, created if missing, not truncated
     * @return a channel for writing (the sink positions it at the end)
     * @throws IOException if the file cannot be opened
     */
    SeekableByteChannel open(Path file) throws IOException;
}
