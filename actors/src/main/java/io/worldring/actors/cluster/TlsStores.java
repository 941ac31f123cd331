package io.worldring.actors.cluster;

import com.typesafe.config.Config;
import io.worldring.model.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.Collections;

/**
 * The keystore and truststore Artery's {@code tls-tcp} transport will use (the {@code secure} profile),
 * opened before the node starts. Pekko reads them only when the first connection is made, and then fails
 * that connection with "SSL context could not be constructed"; here a missing file, a wrong password, a
 * keystore without a private key or a truststore without a certificate stops the node at once, with the
 * file and the setting (and the profile's environment variable) named.
 */
public final class TlsStores {
  static final String ENGINE = "pekko.remote.artery.ssl.config-ssl-engine.";
  static final String CONFIG_ENGINE_PROVIDER = "org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider";

  private TlsStores() {}

  /** Checks the stores when {@code config} (resolved) selects tls-tcp with Pekko's config-based engine; else nothing. */
  public static void check(Config config) {
    if (!"tls-tcp".equals(config.getString("pekko.remote.artery.transport"))
        || !CONFIG_ENGINE_PROVIDER.equals(config.getString("pekko.remote.artery.ssl.ssl-engine-provider"))) {
      return;
    }
    String keyStorePassword = config.getString(ENGINE + "key-store-password");
    KeyStore keys = open(config, "key-store", "WORLDRING_TLS_KEYSTORE", "key-store-password", "WORLDRING_TLS_PASSWORD");
    KeyStore trust = open(config, "trust-store", "WORLDRING_TLS_TRUSTSTORE", "trust-store-password",
        "WORLDRING_TLS_TRUSTSTORE_PASSWORD or WORLDRING_TLS_PASSWORD");
    String keyStore = config.getString(ENGINE + "key-store");
    String keyPassword = config.getString(ENGINE + "key-password");
    try {
      boolean hasKey = false;
      for (String alias : Collections.list(keys.aliases())) {
        if (keys.isKeyEntry(alias)) {
          hasKey = true;
          keys.getKey(alias, keyPassword.toCharArray());
        }
      }
      if (!hasKey) {
        throw new BadInputException("TLS keystore " + keyStore + " (" + ENGINE + "key-store, WORLDRING_TLS_KEYSTORE) holds no private key: "
            + "create it with keytool -genkeypair (see the secure profile)");
      }
      boolean hasCertificate = false;
      for (String alias : Collections.list(trust.aliases())) {
        hasCertificate |= trust.getCertificate(alias) != null;
      }
      if (!hasCertificate) {
        throw new BadInputException("TLS truststore " + config.getString(ENGINE + "trust-store") + " (" + ENGINE
            + "trust-store, WORLDRING_TLS_TRUSTSTORE) holds no certificate: import the cluster's with keytool -importcert");
      }
    } catch (UnrecoverableKeyException e) {
      throw new BadInputException("TLS keystore " + keyStore + ": its private key does not open with " + ENGINE + "key-password"
          + (keyPassword.equals(keyStorePassword) ? " (the keystore's password, WORLDRING_TLS_PASSWORD)" : ""));
    } catch (GeneralSecurityException e) {
      throw new BadInputException("TLS keystore " + keyStore + ": " + e.getMessage());
    }
  }

  /** Loads one store as Pekko will (the JDK's default keystore type, which reads PKCS12 and JKS). */
  private static KeyStore open(Config config, String fileKey, String fileEnv, String passwordKey, String passwordEnv) {
    String what = fileKey.equals("key-store") ? "keystore" : "truststore";
    String file = config.getString(ENGINE + fileKey);
    if (file.isEmpty()) {
      throw new BadInputException("TLS transport without a " + what + ": set " + fileEnv + " (or " + ENGINE + fileKey + ")");
    }
    Path path = Path.of(file);
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new BadInputException("TLS " + what + " " + file + " (" + ENGINE + fileKey + ", " + fileEnv + ") "
          + (Files.exists(path) ? "is not a readable file" : "does not exist"));
    }
    String password = config.getString(ENGINE + passwordKey);
    try (InputStream in = Files.newInputStream(path)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(in, password.toCharArray());
      return store;
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw new BadInputException("TLS " + what + " " + file + ": wrong password (" + ENGINE + passwordKey + ", " + passwordEnv
            + (password.isEmpty() ? ", which is not set" : "") + ")");
      }
      throw new BadInputException("TLS " + what + " " + file + " (" + ENGINE + fileKey + ", " + fileEnv + ") is not a PKCS12 or JKS "
          + "keystore: " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new BadInputException("TLS " + what + " " + file + ": " + e.getMessage());
    }
  }
}
