package io.sidecar.config;

import java.util.List;

/**
 * An extra validation that a module owning a section plugs in (for example the fault-injection module
 * validates {@code faults:}); it appends errors with paths and lines taken from the nodes.
 */
@FunctionalInterface
public interface ConfigCheck {
  void check(SidecarConfig config, YamlNode root, List<ConfigError> errors);
}
