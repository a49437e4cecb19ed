package io.sidecar.admin;

import io.sidecar.config.ConfigStore;
import io.vertx.core.Future;

/** What the control API may do with configuration: read the store, and reload the file. */
public interface ConfigControl {
  ConfigStore store();

  /** Re-reads the configuration source; fails with a {@code ConfigException} when the candidate is invalid. */
  Future<ConfigStore.Snapshot> reload();
}
