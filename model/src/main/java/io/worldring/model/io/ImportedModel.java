package io.worldring.model.io;

import io.worldring.model.ModelConfig;
import io.worldring.model.Parameters;

/** Weights read from another format, in this project's internal layout. */
public record ImportedModel(ModelConfig config, Parameters weights, String source) {}
