package io.sidecar.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks an {@code Authorization: Bearer <token>} header in constant time: both sides are hashed first, so
 * neither the content nor the length of the expected token leaks through timing. An empty expected token
 * refuses everything (mutations stay locked until an operator sets one).
 */
public final class BearerTokenCheck {
  private BearerTokenCheck() {}

  public static boolean allows(String expectedToken, String authorizationHeader) {
    if (expectedToken == null || expectedToken.isEmpty() || authorizationHeader == null) return false;
    if (!authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
    String presented = authorizationHeader.substring(7).trim();
    return MessageDigest.isEqual(sha256(expectedToken), sha256(presented));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
