package io.worldring.datasets.qa;

/**
 * One line of a QA file: a question-answer pair written about chunk {@code chunk} of book {@code book}
 * by {@code generator}. The chunk's text is kept, so training needs only this file.
 */
public record QaRecord(String book, int chunk, String text, String question, String answer, String generator) {}
