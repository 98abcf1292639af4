package dev.agentguard.core.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The head file of an audit set ({@code <active file>.head}): the active file's name, how many lines it has, the
 * chain's last hash, how many records the chain holds since its genesis, and a seal, the chain's hash (keyed when
 * the chain is) over all of them. It lets a verifier see lines removed from the end of the active file.
 */
final class AuditHead {

    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    final String file;
    final long lines;
    final String hash;
    /** Records in the chain since its genesis, or -1 when the head does not say (an older head). */
    final long records;
    final String seal;

    private AuditHead(String file, long lines, String hash, long records, String seal) {
        this.file = file;
        this.lines = lines;
        this.hash = hash;
        this.records = records;
        this.seal = seal;
    }

    /** @return the head file's text */
    static String text(String fileName, long lines, String hash, long records, ChainHasher hasher) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("file", fileName);
            g.writeNumberField("lines", lines);
            g.writeStringField("hash", hash);
            g.writeNumberField("records", records);
            g.writeStringField("alg", hasher.algorithm());
            g.writeStringField("seal", hasher.hash(sealText(fileName, lines, hash, records)));
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w + "\n";
    }

    static String sealText(String fileName, long lines, String hash, long records) {
        return "agentguard-audit-head\n" + fileName + '\n' + lines + '\n' + hash + (records < 0 ? "" : "\n" + records);
    }

    /** @return true if the seal matches, computed with this hasher */
    boolean sealedWith(ChainHasher hasher) {
        return hasher.hash(sealText(file, lines, hash, records)).equals(seal);
    }

    /** @return the head, or null when the file is not a head */
    static AuditHead read(Path path) {
        try {
            JsonNode n = MAPPER.readTree(Files.readString(path));
            String file = n.path("file").asText(null);
            long lines = n.path("lines").asLong(-1);
            String hash = n.path("hash").asText(null);
            long records = n.has("records") ? n.path("records").asLong(-1) : -1;
            String seal = n.path("seal").asText(null);
            return file == null || lines < 0 || hash == null || seal == null ? null
                    : new AuditHead(file, lines, hash, records, seal);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
