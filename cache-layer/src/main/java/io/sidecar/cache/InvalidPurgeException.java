package io.sidecar.cache;

/** A purge request that cannot be executed; nothing was purged. The control API maps it to 400. */
public final class InvalidPurgeException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String field;

  public InvalidPurgeException(String field, String detail) {
    super(field + ": " + detail);
    this.field = field;
  }

  /** The offending field of the request body ("body" when the shape itself is wrong). */
  public String field() {
    return field;
  }
}
