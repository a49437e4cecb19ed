package io.sidecar;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** Where the configuration text comes from: a file (watched for changes) or fixed text (the demo). */
interface ConfigSource {
  String read() throws IOException;

  /** A token that changes when the source changes (null: never changes). */
  String fingerprint();

  String describe();

  static ConfigSource file(Path path) {
    return new ConfigSource() {
      @Override
      public String read() throws IOException {
        return Files.readString(path, StandardCharsets.UTF_8);
      }

      @Override
      public String fingerprint() {
        try {
          BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
          return a.lastModifiedTime().toMillis() + ":" + a.size() + ":" + a.fileKey();
        } catch (IOException e) {
          return "missing";
        }
      }

      @Override
      public String describe() {
        return path.toString();
      }
    };
  }

  static ConfigSource text(String text, String name) {
    return new ConfigSource() {
      @Override
      public String read() {
        return text;
      }

      @Override
      public String fingerprint() {
        return null;
      }

      @Override
      public String describe() {
        return name;
      }
    };
  }
}
