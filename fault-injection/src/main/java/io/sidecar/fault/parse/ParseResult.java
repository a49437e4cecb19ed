package io.sidecar.fault.parse;

import java.util.List;
import java.util.stream.Collectors;

/** A parsed value, or every problem found (the value is null when there is any error). */
public record ParseResult<T>(T value, List<FieldError> errors) {

  public ParseResult {
    errors = List.copyOf(errors);
    if (!errors.isEmpty()) value = null;
  }

  public boolean ok() {
    return errors.isEmpty();
  }

  /** The value, or an {@link InvalidInputException} carrying all errors. */
  public T orThrow() {
    if (!ok()) throw new InvalidInputException(errors);
    return value;
  }

  /** All errors on one line each, for the API's {@code detail}. */
  public String describeErrors() {
    return errors.stream().map(FieldError::toString).collect(Collectors.joining("; "));
  }
}
