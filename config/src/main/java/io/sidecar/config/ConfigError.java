package io.sidecar.config;

/** One problem in a configuration, located by its YAML path (e.g. {@code clusters[1].endpoints[0].port}) and line. */
public record ConfigError(String path, int line, String message) {

  @Override
  public String toString() {
    String where = path.isEmpty() ? "(root)" : path;
    return line > 0 ? where + " (line " + line + "): " + message : where + ": " + message;
  }
}
