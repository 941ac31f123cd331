package io.worldring.datasets.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.BadInputException;

/** Source states as JSON objects; a state of the wrong shape is an error, not a silent restart. */
public final class SourceStates {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SourceStates() {}

  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  public static long getLong(JsonNode state, String key, String what) {
    JsonNode v = state == null ? null : state.get(key);
    if (v == null || !v.canConvertToLong() || v.asLong() < 0) {
      throw new BadInputException(what + " state lacks a non-negative '" + key + "': " + state);
    }
    return v.asLong();
  }

  public static JsonNode get(JsonNode state, String key, String what) {
    JsonNode v = state == null ? null : state.get(key);
    if (v == null) {
      throw new BadInputException(what + " state lacks '" + key + "': " + state);
    }
    return v;
  }
}
