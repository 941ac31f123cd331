package io.worldring.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.worldring.model.BadInputException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Maps a HOCON object onto a record: component {@code learningRate} reads key {@code learning-rate}.
 * Every key must be known and every component present (defaults come from {@code reference.conf});
 * errors name the file and line of the offending value, or the config path when it has no file.
 *
 * <p>Supported component types: int, long, double, boolean, String, enums (by lower-case name),
 * nested records, and lists of those.
 */
public final class HoconRecords {
  private HoconRecords() {}

  public static <R extends Record> R read(Config config, String path, Class<R> type) {
    if (!config.hasPath(path)) {
      throw new BadInputException("config: missing section '" + path + "'");
    }
    ConfigValue v = config.getValue(path);
    if (v.valueType() != ConfigValueType.OBJECT) {
      throw new BadInputException(where(v.origin(), path) + ": '" + path + "' must be an object");
    }
    return readRecord((ConfigObject) v, path, type);
  }

  /** kebab-case of a component name. */
  public static String key(String component) {
    StringBuilder b = new StringBuilder();
    for (char c : component.toCharArray()) {
      if (Character.isUpperCase(c)) {
        b.append('-').append(Character.toLowerCase(c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static <R> R readRecord(ConfigObject obj, String path, Class<R> type) {
    RecordComponent[] components = type.getRecordComponents();
    Set<String> known = new LinkedHashSet<>();
    for (RecordComponent c : components) {
      known.add(key(c.getName()));
    }
    for (String k : new TreeSet<>(obj.keySet())) {
      if (!known.contains(k)) {
        throw new BadInputException(where(obj.get(k).origin(), path + "." + k) + ": unknown key '" + path + "." + k
            + "' (known keys: " + String.join(", ", known) + ")");
      }
    }
    Object[] args = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      String k = key(c.getName());
      ConfigValue value = obj.get(k);
      if (value == null || value.valueType() == ConfigValueType.NULL) {
        throw new BadInputException(where(obj.origin(), path) + ": missing key '" + path + "." + k + "'");
      }
      args[i] = convert(value, path + "." + k, c.getGenericType());
      types[i] = c.getType();
    }
    try {
      Constructor<R> ctor = type.getDeclaredConstructor(types);
      ctor.setAccessible(true);
      return ctor.newInstance(args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof BadInputException || cause instanceof IllegalArgumentException) {
        throw new BadInputException(where(obj.origin(), path) + ": " + cause.getMessage(), cause);
      }
      throw new IllegalStateException(cause);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot construct " + type.getName(), e);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object convert(ConfigValue value, String path, Type type) {
    Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
    Object unwrapped = value.unwrapped();
    try {
      if (raw == int.class || raw == Integer.class) {
        return Math.toIntExact(integral(value, path));
      }
      if (raw == long.class || raw == Long.class) {
        return integral(value, path);
      }
      if (raw == double.class || raw == Double.class) {
        return number(value, path).doubleValue();
      }
      if (raw == boolean.class || raw == Boolean.class) {
        if (!(unwrapped instanceof Boolean b)) {
          throw wrong(value, path, "true or false");
        }
        return b;
      }
      if (raw == String.class) {
        if (value.valueType() != ConfigValueType.STRING && value.valueType() != ConfigValueType.NUMBER
            && value.valueType() != ConfigValueType.BOOLEAN) {
          throw wrong(value, path, "a string");
        }
        return String.valueOf(unwrapped);
      }
      if (raw.isEnum()) {
        String s = String.valueOf(unwrapped);
        for (Object constant : raw.getEnumConstants()) {
          if (((Enum<?>) constant).name().equalsIgnoreCase(s.replace('-', '_'))) {
            return constant;
          }
        }
        List<String> names = new ArrayList<>();
        for (Object constant : raw.getEnumConstants()) {
          names.add(((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw new BadInputException(where(value.origin(), path) + ": '" + s + "' is not one of " + names + " for '" + path + "'");
      }
      if (raw.isRecord()) {
        if (value.valueType() != ConfigValueType.OBJECT) {
          throw wrong(value, path, "an object");
        }
        return readRecord((ConfigObject) value, path, (Class) raw);
      }
      if (raw == List.class) {
        if (value.valueType() != ConfigValueType.LIST) {
          throw wrong(value, path, "a list");
        }
        Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
        List<Object> out = new ArrayList<>();
        ConfigList list = (ConfigList) value;
        for (int i = 0; i < list.size(); i++) {
          out.add(convert(list.get(i), path + "[" + i + "]", element));
        }
        return List.copyOf(out);
      }
    } catch (ArithmeticException e) {
      throw wrong(value, path, "a number that fits");
    }
    throw new IllegalStateException("unsupported config type " + type + " at " + path);
  }

  private static long integral(ConfigValue value, String path) {
    Number n = number(value, path);
    if (n.doubleValue() != Math.rint(n.doubleValue())) {
      throw wrong(value, path, "a whole number");
    }
    return n.longValue();
  }

  private static Number number(ConfigValue value, String path) {
    Object u = value.unwrapped();
    if (u instanceof Number n) {
      return n;
    }
    if (u instanceof String s) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        // fall through to the error
      }
    }
    throw wrong(value, path, "a number");
  }

  private static BadInputException wrong(ConfigValue value, String path, String expected) {
    return new BadInputException(where(value.origin(), path) + ": '" + path + "' must be " + expected + ", got "
        + value.render(com.typesafe.config.ConfigRenderOptions.concise()));
  }

  /** "file:line" where the value came from, or the config path. */
  public static String where(ConfigOrigin origin, String path) {
    if (origin != null && origin.filename() != null) {
      return origin.filename() + (origin.lineNumber() > 0 ? ":" + origin.lineNumber() : "");
    }
    if (origin != null && origin.resource() != null) {
      return origin.resource() + (origin.lineNumber() > 0 ? ":" + origin.lineNumber() : "");
    }
    return origin != null && origin.description() != null ? origin.description() : "config " + path;
  }

  /** Wraps the library's own parse errors (which carry file and line) as bad input. */
  public static BadInputException parseError(ConfigException e) {
    return new BadInputException(e.getMessage(), e);
  }
}
