package io.sidecar.fault.parse;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown by {@link ParseResult#orThrow()}; the control API maps it to 400 with {@link #errors()}. */
public final class InvalidInputException extends RuntimeException {
  private final List<FieldError> errors;

  public InvalidInputException(List<FieldError> errors) {
    super(errors.stream().map(FieldError::toString).collect(Collectors.joining("; ")));
    this.errors = List.copyOf(errors);
  }

  public List<FieldError> errors() {
    return errors;
  }
}
