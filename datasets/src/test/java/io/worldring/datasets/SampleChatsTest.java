package io.worldring.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SampleChatsTest {
  @Test
  void theShippedSampleIsExactlyWhatTheBuilderWrites() throws Exception {
    List<String> shipped;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(SampleCorpus.open(SampleCorpus.ULTRACHAT_SAMPLE), StandardCharsets.UTF_8))) {
      shipped = r.lines().collect(Collectors.toList());
    }
    assertEquals(SampleChats.lines(), shipped);
    assertTrue(shipped.size() > 300, "chapters and addresses: " + shipped.size());
  }

  @Test
  void itParsesAsUltraChat() {
    BadInputPolicy policy = BadInputPolicy.fail();
    List<Example> examples = UltraChat.bundled(new ChatTemplate(new ByteTokenizer()), policy);
    assertEquals(336, examples.size());
    assertTrue(examples.stream().allMatch(e -> e.lossTokens() > 0));
  }
}
