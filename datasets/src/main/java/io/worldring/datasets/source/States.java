package io.worldring.datasets.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.BadInputException;

/** Reading and writing stream states as JSON objects; a state of the wrong shape is an error, not a silent restart. */
final class States {
  static final ObjectMapper JSON = new ObjectMapper();

  private States() {}

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  static long getLong(JsonNode state, String key, String what) {
    JsonNode v = state == null ? null : state.get(key);
    if (v == null || !v.canConvertToLong()) {
      throw new BadInputException(what + " state lacks '" + key + "': " + state);
    }
    return v.asLong();
  }

  static JsonNode get(JsonNode state, String key, String what) {
    JsonNode v = state == null ? null : state.get(key);
    if (v == null) {
      throw new BadInputException(what + " state lacks '" + key + "': " + state);
    }
    return v;
  }
}
