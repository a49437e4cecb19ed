package io.sidecar.cache.semantics;

/** Status codes as a recipient processes them (RFC 9110 §15). */
public final class StatusCodes {

  private StatusCodes() {
  }

  public static boolean isValid(int status) {
    return status >= 100 && status <= 599;
  }

  /**
   * RFC 9110 §15: values outside 100..599 are invalid, and a client that receives one SHOULD process the
   * response as a 5xx; 500 stands for that here (error accounting, stale-if-error).
   */
  public static int processedAs(int status) {
    return isValid(status) ? status : 500;
  }
}
