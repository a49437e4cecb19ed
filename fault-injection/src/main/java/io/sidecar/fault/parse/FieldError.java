package io.sidecar.fault.parse;

/** One problem in user input: where ({@code faults[2].delay.fixed}) and what. */
public record FieldError(String path, String message) {
  @Override
  public String toString() {
    return path + ": " + message;
  }
}
