package io.worldring.datasets.vision;

import io.worldring.model.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;

/**
 * The box structure of an MP4 (ISO base media) file, checked before jcodec reads it. jcodec walks boxes
 * without checking their sizes against their parents: a 64-bit size under 16 makes its format probe, or the
 * parse of a container, step backwards for ever; and it allocates a sample table for whatever count the table
 * states. So: the top-level boxes tile the file, every box of the containers jcodec descends into fits its
 * parent (jcodec's zero padding and a tail of under 8 bytes allowed), and every sample table holds the entries
 * it counts. The movie box is read whole, so it is bounded too.
 */
final class Mp4Boxes {
  /** A movie box (the index, not the media data) larger than this is refused. */
  static final long MAX_MOVIE_BYTES = 64L << 20;
  /** Containers jcodec parses, with the bytes before their first child (version and flags, an entry count). */
  private static final Map<String, Integer> CONTAINERS = Map.ofEntries(
      Map.entry("moov", 0), Map.entry("trak", 0), Map.entry("edts", 0), Map.entry("mdia", 0), Map.entry("minf", 0),
      Map.entry("dinf", 0), Map.entry("stbl", 0), Map.entry("mvex", 0), Map.entry("moof", 0), Map.entry("traf", 0),
      Map.entry("mfra", 0), Map.entry("udta", 0), Map.entry("meta", 0), Map.entry("ilst", 0), Map.entry("tref", 0),
      Map.entry("tapt", 0), Map.entry("clip", 0), Map.entry("gmhd", 0), Map.entry("sinf", 0), Map.entry("ipro", 0),
      Map.entry("skip", 0), Map.entry("wave", 0), Map.entry("stsd", 8), Map.entry("dref", 8), Map.entry("keys", 8));
  /** Sample entries of video (78 bytes before their child boxes) as jcodec knows them; audio entries are in {@link #audioFields}. */
  private static final Set<String> VIDEO_ENTRIES = Set.of("avc1", "avc3", "hvc1", "hev1", "mp4v", "jpeg", "mjpa", "mjpb", "mjp2",
      "ap4h", "apch", "apcn", "apcs", "apco", "cvid", "rpza", "kpcd", "SVQ1", "SVQ3", "dvcp", "h263", "tiff", "2vuY", "yuv2", "v308",
      "v408", "v216", "v410", "v210", "m2v1", "m1v1", "xd5b", "dv5n", "jp2h");
  private static final Set<String> AUDIO_ENTRIES = Set.of("mp4a", "ac-3", "cac3", "ima4", "celp", "hvxc", "twvq", ".mp1", ".mp2",
      ".mp3", "midi", "apvs", "alac", "aach", "aacl", "aace", "aacf", "aacp", "aacs", "samr", "AUDB", "ilbc", "aes3", "NONE", "raw ",
      "twos", "sowt", "MAC3", "MAC6", "fl32", "fl64", "in24", "in32", "ulaw", "alaw", "dvca", "QDMC", "QDM2", "Qclp", "lpcm");
  /** Sample tables: bytes per entry, and the offset of the entry count in the body. */
  private static final Map<String, int[]> TABLES = Map.of("stts", new int[] {8, 4}, "ctts", new int[] {8, 4}, "stss", new int[] {4, 4},
      "stps", new int[] {4, 4}, "stsc", new int[] {12, 4}, "stco", new int[] {4, 4}, "co64", new int[] {8, 4}, "stsz", new int[] {4, 8});

  private final Path path;

  private Mp4Boxes(Path path) {
    this.path = path;
  }

  static void check(Path path) {
    new Mp4Boxes(path).checkFile();
  }

  private void checkFile() {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer header = ByteBuffer.allocate(16); // big-endian, as the format
      for (long at = 0; at < size; ) {
        header.clear();
        while (header.hasRemaining() && ch.read(header, at + header.position()) > 0) {
          // up to 16 bytes, fewer at the end of the file
        }
        header.flip();
        long boxSize = boxSize(header, at, size - at, true);
        if (type(header).equals("moov")) {
          if (boxSize > MAX_MOVIE_BYTES) {
            throw bad("the movie box at byte " + at + " has " + boxSize + " bytes, over the limit of " + MAX_MOVIE_BYTES);
          }
          ByteBuffer moov = ByteBuffer.allocate((int) boxSize);
          while (moov.hasRemaining() && ch.read(moov, at + moov.position()) > 0) {
            // the whole box
          }
          checkChildren("moov", moov.flip(), headerSize(moov), at);
        }
        at += boxSize;
      }
    } catch (IOException e) {
      throw MediaErrors.wrap(path, "cannot read", e);
    }
  }

  /**
   * The size of the box whose header starts {@code header} (at file byte {@code at}, with {@code room} bytes up to
   * the end of its parent). A 0 size runs to the end of the file, only at the top level.
   */
  private long boxSize(ByteBuffer header, long at, long room, boolean topLevel) {
    if (header.remaining() < 8) {
      throw bad("the box header at byte " + at + " is cut short (truncated?)");
    }
    long size = header.getInt(header.position()) & 0xffff_ffffL;
    int headerSize = 8;
    if (size == 1) {
      size = header.remaining() < 16 ? 0 : header.getLong(header.position() + 8);
      headerSize = 16;
    } else if (size == 0 && topLevel) {
      size = room;
    }
    if (size < headerSize || size > room) {
      throw bad("the box '" + type(header) + "' at byte " + at + " has size " + size + ", which does not fit in the " + room
          + " bytes left of " + (topLevel ? "the file" : "its parent") + " (truncated or corrupt?)");
    }
    return size;
  }

  private static int headerSize(ByteBuffer box) {
    return box.getInt(box.position()) == 1 ? 16 : 8;
  }

  private static String type(ByteBuffer header) {
    byte[] t = new byte[4];
    header.get(header.position() + 4, t);
    return new String(t, StandardCharsets.ISO_8859_1);
  }

  /**
   * The children of box {@code type} (the whole box in {@code box}, at file byte {@code at}), after {@code skip}
   * bytes of its body: boxes that fit, jcodec's zero padding between them, and a tail under 8 bytes.
   */
  private void checkChildren(String type, ByteBuffer box, int skip, long at) {
    int p = box.position() + skip;
    int end = box.limit();
    if (p > end) {
      throw bad("the box '" + type + "' at byte " + at + " is too short for its fields");
    }
    while (end - p >= 8) {
      if (box.getInt(p) == 0) {
        p += 4;
        continue;
      }
      ByteBuffer child = box.duplicate().position(p);
      int size = (int) boxSize(child, at + p, end - p, false);
      ByteBuffer body = child.slice().limit(size);
      String childType = type(body);
      checkBox(type, childType, body, at + p);
      p += size;
    }
  }

  private void checkBox(String parent, String type, ByteBuffer box, long at) {
    int header = headerSize(box);
    if (parent.equals("stsd") && VIDEO_ENTRIES.contains(type)) {
      checkChildren(type, box, header + 78, at);
    } else if (parent.equals("stsd") && AUDIO_ENTRIES.contains(type)) {
      checkChildren(type, box, header + audioFields(box, header, at), at);
    } else if (CONTAINERS.containsKey(type) || parent.equals("ilst")) { // an ilst item holds boxes
      checkChildren(type, box, header + CONTAINERS.getOrDefault(type, 0), at);
    } else if (TABLES.containsKey(type)) {
      checkTable(type, box, header, at);
    }
  }

  /** An audio sample entry's fields: 28 bytes, and 16 or 36 more for QuickTime versions 1 and 2. */
  private int audioFields(ByteBuffer box, int header, long at) {
    if (box.limit() - header < 28) {
      throw bad("the audio sample entry at byte " + at + " is too short for its fields");
    }
    int version = box.getShort(header + 8);
    return version == 1 ? 44 : version == 2 ? 64 : 28;
  }

  private void checkTable(String type, ByteBuffer box, int header, long at) {
    int[] layout = TABLES.get(type);
    int body = box.limit() - header;
    if (body < layout[1] + 4) {
      throw bad("the sample table '" + type + "' at byte " + at + " is too short for its entry count");
    }
    if (type.equals("stsz") && box.getInt(header + 4) != 0) {
      return; // one size for every sample: no table
    }
    long count = box.getInt(header + layout[1]) & 0xffff_ffffL;
    if (count * layout[0] > body - layout[1] - 4) {
      throw bad("the sample table '" + type + "' at byte " + at + " counts " + count + " entries of " + layout[0]
          + " bytes, but holds " + (body - layout[1] - 4) + " bytes");
    }
  }

  private BadInputException bad(String what) {
    return new BadInputException(path + ": cannot open as MP4: " + what);
  }
}
