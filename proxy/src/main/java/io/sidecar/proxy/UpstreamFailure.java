package io.sidecar.proxy;

/** An upstream fetch that failed, with the response flag that names why. */
final class UpstreamFailure extends RuntimeException {
  final ResponseFlag flag;

  UpstreamFailure(ResponseFlag flag, String detail) {
    super(detail, null, false, false);
    this.flag = flag;
  }

  /**
   * The failure an upstream status outside 100..599 is (RFC 9110 §15: no such status; 502 UPE, as the byte-level
   * path's parser refuses such a head), or null for a real status.
   */
  static UpstreamFailure ofStatus(int status) {
    return status >= 100 && status <= 599 ? null
        : new UpstreamFailure(ResponseFlag.UPSTREAM_PROTOCOL_ERROR, "invalid response status " + status);
  }
}
