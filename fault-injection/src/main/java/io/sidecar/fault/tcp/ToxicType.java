package io.sidecar.fault.tcp;

import java.util.Locale;

/** Toxiproxy's toxic types (https://github.com/Shopify/toxiproxy#toxics). */
public enum ToxicType {
  /** Delay data by {@code latency} +- {@code jitter}. */
  LATENCY,
  /** Limit the rate to {@code rate} KiB/s. */
  BANDWIDTH,
  /** Delay the close of the connection by {@code delay} after the other side closed. */
  SLOW_CLOSE,
  /** Drop all data; close the connection after {@code timeout} (0 = never, until the toxic is removed). */
  TIMEOUT,
  /** Reset the connection (TCP RST) after {@code timeout} (0 = at once). */
  RESET_PEER,
  /** Split data into chunks of {@code average_size} +- {@code size_variation} bytes, {@code delay} apart. */
  SLICER,
  /** Close the connection after {@code bytes} bytes went through. */
  LIMIT_DATA,
  /** The proxy is down: existing connections are closed and new ones are closed as soon as accepted. */
  DOWN;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
