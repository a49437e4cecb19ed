package io.sidecar.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads, substitutes, parses and validates a configuration file or text; all errors at once. */
public final class ConfigLoader {
  private final EnvSubstitution env;
  private final List<ConfigCheck> checks;

  public ConfigLoader(EnvSubstitution env, List<ConfigCheck> checks) {
    this.env = env;
    this.checks = List.copyOf(checks);
  }

  public ConfigLoader() {
    this(EnvSubstitution.system(), List.of());
  }

  public SidecarConfig load(Path file) throws ConfigException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(List.of(new ConfigError("", 0, "cannot read " + file + ": " + e.getMessage())));
    }
    return parse(text);
  }

  public SidecarConfig parse(String text) throws ConfigException {
    List<ConfigError> errors = new ArrayList<>();
    YamlNode root = new YamlTreeReader(env).read(text, errors);
    if (root == null) {
      throw new ConfigException(errors);
    }
    SidecarConfig config = ConfigParser.parse(root, errors);
    if (errors.isEmpty()) {
      for (ConfigCheck check : checks) {
        check.check(config, root, errors);
      }
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    return config;
  }
}
