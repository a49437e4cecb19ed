package io.sidecar.config;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a request must look like for a route to take it. All given conditions must hold. Exactly one of the
 * path conditions applies ({@code path_exact}, {@code path_prefix} or {@code path_regex}; none means any path).
 *
 * @param hosts   Host values (port ignored); {@code *.example.com} matches any subdomain; empty = any host
 * @param methods empty = any method
 */
public record RouteMatchSpec(List<String> hosts, String pathExact, String pathPrefix, Pattern pathRegex,
                             Set<String> methods, List<ValueMatchSpec> headers, List<ValueMatchSpec> query) {}
