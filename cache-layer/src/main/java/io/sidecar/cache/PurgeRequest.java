package io.sidecar.cache;

import io.sidecar.cache.semantics.CacheKeys;
import io.sidecar.cache.semantics.GlobPattern;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What to purge: one exact key (URL), a path prefix, a tag, a glob, or everything.
 * Built by {@link #parse(Map)} from the JSON body of {@code POST /cache/purge}.
 */
public sealed interface PurgeRequest {

  int MAX_VALUE_LENGTH = 2048;

  /** Does an entry with this normalised key URL, path and query, and tags match? */
  boolean matches(String keyUrl, Set<String> tags);

  /** Short kind for pub/sub messages and logs. */
  String kind();

  /** The argument (empty for ALL). */
  String value();

  /** Exact URL ({@code http://host/p?q}), or a path and query matched on any host. */
  record Key(String url) implements PurgeRequest {
    @Override
    public boolean matches(String keyUrl, Set<String> tags) {
      if (url.startsWith("/")) {
        return CacheKeys.pathAndQueryOf(keyUrl).equals(url);
      }
      return keyUrl.equals(url);
    }

    @Override
    public String kind() {
      return "key";
    }

    @Override
    public String value() {
      return url;
    }
  }

  /** Path prefix ({@code /p/}) on any host, or absolute URL prefix. */
  record Prefix(String prefix) implements PurgeRequest {
    @Override
    public boolean matches(String keyUrl, Set<String> tags) {
      return prefix.startsWith("/") ? CacheKeys.pathAndQueryOf(keyUrl).startsWith(prefix)
          : keyUrl.startsWith(prefix);
    }

    @Override
    public String kind() {
      return "prefix";
    }

    @Override
    public String value() {
      return prefix;
    }
  }

  record Tag(String tag) implements PurgeRequest {
    @Override
    public boolean matches(String keyUrl, Set<String> tags) {
      return tags.contains(tag);
    }

    @Override
    public String kind() {
      return "tag";
    }

    @Override
    public String value() {
      return tag;
    }
  }

  /** Glob over the path and query (pattern starts with '/') or the absolute URL. */
  record Glob(String pattern, GlobPattern compiled) implements PurgeRequest {
    @Override
    public boolean matches(String keyUrl, Set<String> tags) {
      return compiled.matches(pattern.startsWith("/") ? CacheKeys.pathAndQueryOf(keyUrl) : keyUrl);
    }

    @Override
    public String kind() {
      return "glob";
    }

    @Override
    public String value() {
      return pattern;
    }
  }

  record All() implements PurgeRequest {
    @Override
    public boolean matches(String keyUrl, Set<String> tags) {
      return true;
    }

    @Override
    public String kind() {
      return "all";
    }

    @Override
    public String value() {
      return "";
    }
  }

  /**
   * Parses {@code {"key": URL}}, {@code {"prefix": "/p/"}}, {@code {"tag": "t"}}, {@code {"glob": "/a/*"}} or
   * {@code {"all": true}}.
   *
   * @throws InvalidPurgeException naming the field that is wrong
   */
  static PurgeRequest parse(Map<String, Object> body) {
    if (body == null || body.isEmpty()) {
      throw new InvalidPurgeException("body", "expected exactly one of key, prefix, tag, glob, all");
    }
    if (body.size() != 1) {
      throw new InvalidPurgeException("body", "expected exactly one of key, prefix, tag, glob, all; got "
          + body.keySet());
    }
    Map.Entry<String, Object> e = body.entrySet().iterator().next();
    String field = e.getKey();
    Object v = e.getValue();
    switch (field) {
      case "all":
        if (!Boolean.TRUE.equals(v)) {
          throw new InvalidPurgeException("all", "must be true");
        }
        return new All();
      case "key":
        return new Key(normaliseUrlOrPath("key", text("key", v)));
      case "prefix":
        return new Prefix(normaliseUrlOrPath("prefix", text("prefix", v)));
      case "tag": {
        String t = text("tag", v);
        for (int i = 0; i < t.length(); i++) {
          if (Character.isWhitespace(t.charAt(i)) || t.charAt(i) < 0x20) {
            throw new InvalidPurgeException("tag", "must not contain whitespace or control characters");
          }
        }
        return new Tag(t);
      }
      case "glob": {
        String g = text("glob", v);
        if (!(g.startsWith("/") || g.startsWith("http://") || g.startsWith("https://"))) {
          throw new InvalidPurgeException("glob", "must start with '/' or an http(s) URL");
        }
        try {
          return new Glob(g, GlobPattern.compile(g));
        } catch (IllegalArgumentException ex) {
          throw new InvalidPurgeException("glob", "invalid pattern: " + ex.getMessage());
        }
      }
      default:
        throw new InvalidPurgeException(field, "unknown field; expected one of key, prefix, tag, glob, all");
    }
  }

  private static String text(String field, Object v) {
    if (!(v instanceof String s)) {
      throw new InvalidPurgeException(field, "must be a string");
    }
    if (s.isEmpty()) {
      throw new InvalidPurgeException(field, "must not be empty");
    }
    if (s.length() > MAX_VALUE_LENGTH) {
      throw new InvalidPurgeException(field, "longer than " + MAX_VALUE_LENGTH + " characters");
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < 0x20 || s.charAt(i) == 0x7f) {
        throw new InvalidPurgeException(field, "control character at position " + i);
      }
    }
    return s;
  }

  /** Paths stay as they are; absolute URLs get a lower-case scheme and host without default port. */
  private static String normaliseUrlOrPath(String field, String s) {
    if (s.startsWith("/")) {
      return s;
    }
    int schemeEnd = s.indexOf("://");
    String scheme = schemeEnd < 0 ? "" : s.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new InvalidPurgeException(field, "must be a path starting with '/' or an http(s) URL");
    }
    String rest = s.substring(schemeEnd + 3);
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    if (authority.isEmpty()) {
      throw new InvalidPurgeException(field, "URL has no host");
    }
    String path = slash < 0 ? (field.equals("key") ? "/" : "") : rest.substring(slash);
    return scheme + "://" + CacheKeys.normalisedAuthority(scheme, authority) + path;
  }

  /** Rebuilds a request from {@link #kind()} and {@link #value()} (pub/sub messages). */
  static PurgeRequest of(String kind, String value) {
    return kind.equals("all") ? new All() : parse(Map.of(kind, value));
  }
}
