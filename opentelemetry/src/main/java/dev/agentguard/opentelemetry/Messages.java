package dev.agentguard.opentelemetry;

import dev.agentguard.core.redact.Redactor;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import java.util.List;
import java.util.Locale;

/**
 * Messages as the GenAI conventions' {@code gen_ai.input.messages} / {@code gen_ai.output.messages} JSON
 * ({@code [{"role":"user","parts":[{"type":"text","content":"..."}]}]}), every text and tool argument redacted.
 * Only text parts are written; other parts (images, audio) are named by their type alone. Only used when content
 * capture is on.
 */
final class Messages {

    private Messages() {
    }

    static String input(List<ChatMessage> messages, Redactor redactor) {
        StringBuilder sb = new StringBuilder(256).append('[');
        for (ChatMessage m : messages) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            message(sb, m, redactor, null);
        }
        return sb.append(']').toString();
    }

    static String output(ChatResponse response, Redactor redactor) {
        StringBuilder sb = new StringBuilder(128).append('[');
        message(sb, response.aiMessage(), redactor, response.finishReason());
        return sb.append(']').toString();
    }

    /** @return the conventions' finish reason: stop, length, tool_call, content_filter, other */
    static String finishReason(FinishReason reason) {
        switch (reason) {
            case TOOL_EXECUTION:
                return "tool_call";
            default:
                return reason.name().toLowerCase(Locale.ROOT);
        }
    }

    private static void message(StringBuilder sb, ChatMessage m, Redactor redactor, FinishReason finish) {
        sb.append("{\"role\":");
        if (m instanceof SystemMessage) {
            string(sb, "system").append(",\"parts\":[");
            text(sb, ((SystemMessage) m).text(), redactor);
        } else if (m instanceof UserMessage) {
            string(sb, "user").append(",\"parts\":[");
            boolean first = true;
            for (Content c : ((UserMessage) m).contents()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                if (c instanceof TextContent) {
                    text(sb, ((TextContent) c).text(), redactor);
                } else {
                    sb.append("{\"type\":");
                    string(sb, c.type().name().toLowerCase(Locale.ROOT)).append('}');
                }
            }
        } else if (m instanceof AiMessage) {
            AiMessage ai = (AiMessage) m;
            string(sb, "assistant").append(",\"parts\":[");
            boolean first = true;
            if (ai.text() != null) {
                text(sb, ai.text(), redactor);
                first = false;
            }
            if (ai.hasToolExecutionRequests()) {
                for (ToolExecutionRequest r : ai.toolExecutionRequests()) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    sb.append("{\"type\":\"tool_call\",\"id\":");
                    string(sb, r.id()).append(",\"name\":");
                    string(sb, r.name()).append(",\"arguments\":");
                    string(sb, r.arguments() == null ? null : redactor.redactArguments(r.arguments())).append('}');
                }
            }
        } else if (m instanceof ToolExecutionResultMessage) {
            ToolExecutionResultMessage t = (ToolExecutionResultMessage) m;
            string(sb, "tool").append(",\"parts\":[{\"type\":\"tool_call_response\",\"id\":");
            string(sb, t.id()).append(",\"response\":");
            string(sb, t.text() == null ? null : redactor.redact(t.text())).append('}');
        } else {
            string(sb, m.type().name().toLowerCase(Locale.ROOT)).append(",\"parts\":[");
        }
        sb.append(']');
        if (finish != null) {
            sb.append(",\"finish_reason\":");
            string(sb, finishReason(finish));
        }
        sb.append('}');
    }

    private static void text(StringBuilder sb, String text, Redactor redactor) {
        sb.append("{\"type\":\"text\",\"content\":");
        string(sb, text == null ? null : redactor.redact(text)).append('}');
    }

    private static StringBuilder string(StringBuilder sb, String s) {
        if (s == null) {
            return sb.append("null");
        }
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"');
    }
}
