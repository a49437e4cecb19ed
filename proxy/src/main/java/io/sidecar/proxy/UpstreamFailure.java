package io.sidecar.proxy;

/** An upstream fetch that failed, with the response flag that names why. */
final class UpstreamFailure extends RuntimeException {
  final ResponseFlag flag;

  UpstreamFailure(ResponseFlag flag, String detail) {
    super(detail, null, false, false);
    this.flag = flag;
  }
}
