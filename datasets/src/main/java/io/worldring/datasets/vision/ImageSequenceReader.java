package io.worldring.datasets.vision;

import io.worldring.model.BadInputException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ObjIntConsumer;
import java.util.stream.Stream;

/**
 * A directory of still frames ({@code .png}, {@code .jpg}, {@code .jpeg}) in natural name order, so
 * {@code frame2.png} comes before {@code frame10.png}. Other files are ignored; frames may differ in size
 * (each is resized and cropped on its own).
 */
public final class ImageSequenceReader implements VideoReader {
  private final Path dir;
  private final List<Path> files;

  private ImageSequenceReader(Path dir, List<Path> files) {
    this.dir = dir;
    this.files = files;
  }

  public static ImageSequenceReader open(Path dir) {
    try (Stream<Path> listing = Files.list(dir)) {
      List<Path> files = listing.filter(Files::isRegularFile).filter(ImageSequenceReader::isFrame)
          .sorted(Comparator.comparing(p -> p.getFileName().toString(), ImageSequenceReader::naturalOrder)).toList();
      if (files.isEmpty()) {
        throw new BadInputException(dir + ": the directory holds no .png or .jpg frames");
      }
      return new ImageSequenceReader(dir, files);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** The frame files in order. */
  public List<Path> files() {
    return files;
  }

  @Override
  public Path path() {
    return dir;
  }

  @Override
  public int frameCount() {
    return files.size();
  }

  @Override
  public void read(int[] indices, ObjIntConsumer<BufferedImage> sink) {
    VideoReader.checkIndices(dir, indices, files.size());
    for (int i : indices) {
      sink.accept(ImageFiles.read(files.get(i)), i);
    }
  }

  private static boolean isFrame(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
  }

  /** Digit runs compare as numbers, everything else as text. */
  static int naturalOrder(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char ca = a.charAt(i);
      char cb = b.charAt(j);
      if (Character.isDigit(ca) && Character.isDigit(cb)) {
        int ei = i;
        int ej = j;
        while (ei < a.length() && Character.isDigit(a.charAt(ei))) {
          ei++;
        }
        while (ej < b.length() && Character.isDigit(b.charAt(ej))) {
          ej++;
        }
        String na = a.substring(i, ei).replaceFirst("^0+(?=.)", "");
        String nb = b.substring(j, ej).replaceFirst("^0+(?=.)", "");
        int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
        if (c != 0) {
          return c;
        }
        i = ei;
        j = ej;
      } else {
        if (ca != cb) {
          return Character.compare(ca, cb);
        }
        i++;
        j++;
      }
    }
    int c = Integer.compare(a.length() - i, b.length() - j);
    return c != 0 ? c : a.compareTo(b);
  }
}
