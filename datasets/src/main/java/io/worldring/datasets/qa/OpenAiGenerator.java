package io.worldring.datasets.qa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.BadInputException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Any OpenAI-compatible chat-completions endpoint (llama.cpp's server, vLLM, Ollama): asks for one
 * question-answer pair about a chunk, as JSON. A server error (5xx, 429), a timeout, a failed connection
 * or a reply without a usable pair is retried with backoff; after the last attempt the chunk fails with
 * a message that names the endpoint, the chunk and the last problem. Other 4xx replies fail at once.
 * {@code OPENAI_API_KEY}, when set, is sent as a bearer token.
 */
public final class OpenAiGenerator implements QaGenerator {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern JSON_OBJECT = Pattern.compile("\\{.*}", Pattern.DOTALL);
  private static final Pattern LABELLED = Pattern.compile("(?is)Q(?:uestion)?\\s*[:.]\\s*(.+?)\\s*\\n\\s*A(?:nswer)?\\s*[:.]\\s*(.+)");

  /**
   * @param endpoint the base URL ({@code http://host:port/v1}) or the full chat-completions URL
   * @param model the model name to send
   * @param timeout per request
   * @param attempts requests per chunk before giving up (at least 1)
   * @param concurrency chunks in flight at once
   */
  public record Settings(String endpoint, String model, Duration timeout, int attempts, int concurrency) {}

  private final Settings settings;
  private final URI uri;
  private final HttpClient http;
  private final String apiKey;

  public OpenAiGenerator(Settings settings) {
    if (settings.attempts() < 1 || settings.concurrency() < 1) {
      throw new BadInputException("openai generator: attempts and concurrency must be at least 1");
    }
    String url = settings.endpoint().replaceAll("/+$", "");
    if (!url.endsWith("/chat/completions")) {
      url += "/chat/completions";
    }
    try {
      this.uri = URI.create(url);
      if (uri.getScheme() == null || !uri.getScheme().startsWith("http")) {
        throw new IllegalArgumentException("not http(s)");
      }
    } catch (IllegalArgumentException e) {
      throw new BadInputException("openai generator: '" + settings.endpoint() + "' is not an http(s) URL");
    }
    this.settings = settings;
    this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
    this.apiKey = System.getenv("OPENAI_API_KEY");
  }

  @Override
  public String name() {
    return "openai:" + settings.endpoint();
  }

  @Override
  public int concurrency() {
    return settings.concurrency();
  }

  @Override
  public QaPair generate(Chunk chunk) {
    String last = "no attempt";
    for (int attempt = 1; attempt <= settings.attempts(); attempt++) {
      if (attempt > 1) {
        sleep(Math.min(5_000, 100L << (attempt - 2)));
      }
      try {
        HttpResponse<String> response = http.send(request(chunk), HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status == 200) {
          QaPair pair = parse(response.body());
          if (pair != null) {
            return pair;
          }
          last = "malformed reply (no question and answer in it): " + abbreviate(response.body());
        } else if (status >= 500 || status == 429) {
          last = "HTTP " + status + ": " + abbreviate(response.body());
        } else {
          throw new GeneratorFailedException(name() + ": " + chunk.book() + " chunk " + chunk.index() + ": HTTP " + status
              + " (not retried): " + abbreviate(response.body()));
        }
      } catch (HttpTimeoutException e) {
        last = "timed out after " + settings.timeout().toMillis() + " ms";
      } catch (IOException e) {
        last = "request failed: " + e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GeneratorFailedException(name() + ": interrupted");
      }
    }
    throw new GeneratorFailedException(name() + ": " + chunk.book() + " chunk " + chunk.index() + ": no usable reply after "
        + settings.attempts() + " attempt(s); last: " + last);
  }

  private HttpRequest request(Chunk chunk) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", settings.model());
    body.put("temperature", 0);
    var messages = body.putArray("messages");
    messages.addObject().put("role", "system").put("content",
        "You write one question about a passage and its short answer. Reply only with JSON: {\"question\": \"...\", \"answer\": \"...\"}.");
    messages.addObject().put("role", "user").put("content", "Passage:\n" + chunk.text());
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(settings.timeout())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    if (apiKey != null && !apiKey.isBlank()) {
      b.header("Authorization", "Bearer " + apiKey);
    }
    return b.build();
  }

  /** The pair in a chat-completions reply: JSON in the message content, or "Q: ... A: ..." lines. */
  static QaPair parse(String body) {
    try {
      JsonNode reply = JSON.readTree(body);
      String content = reply.path("choices").path(0).path("message").path("content").asText(null);
      if (content == null) {
        return null;
      }
      Matcher object = JSON_OBJECT.matcher(content);
      if (object.find()) {
        try {
          JsonNode pair = JSON.readTree(object.group());
          String q = pair.path("question").asText("").strip();
          String a = pair.path("answer").asText("").strip();
          if (!q.isEmpty() && !a.isEmpty()) {
            return new QaPair(q, a);
          }
        } catch (IOException e) {
          // not JSON after all: try the labelled form
        }
      }
      Matcher labelled = LABELLED.matcher(content.strip());
      if (labelled.find()) {
        return new QaPair(labelled.group(1).strip(), labelled.group(2).strip());
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String abbreviate(String s) {
    String one = s.replaceAll("\\s+", " ").strip();
    return one.length() <= 160 ? one : one.substring(0, 160) + "...";
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
