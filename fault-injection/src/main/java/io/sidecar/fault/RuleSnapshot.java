package io.sidecar.fault;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable set of compiled rules, indexed by route: for each route named by some rule, the rules
 * that name it or name no route, in registry order; for any other route, the rules that name no route.
 * So a request walks only rules that can match its route, and 20 rules on other routes cost one hash
 * lookup. Subsequences keep registry order, so "first rule wins a slot" and the contiguity of an
 * experiment's rules are preserved.
 */
final class RuleSnapshot {

  static final RuleSnapshot EMPTY = new RuleSnapshot(new CompiledRule[0], Map.of(), new CompiledRule[0]);

  private final CompiledRule[] all;
  private final Map<String, CompiledRule[]> byRoute;
  private final CompiledRule[] routeless;

  private RuleSnapshot(CompiledRule[] all, Map<String, CompiledRule[]> byRoute, CompiledRule[] routeless) {
    this.all = all;
    this.byRoute = byRoute;
    this.routeless = routeless;
  }

  static RuleSnapshot of(CompiledRule[] all) {
    if (all.length == 0) return EMPTY;
    Set<String> routes = new LinkedHashSet<>();
    List<CompiledRule> routeless = new ArrayList<>();
    for (CompiledRule r : all) {
      String route = r.spec.match().route();
      if (route == null) routeless.add(r);
      else routes.add(route);
    }
    Map<String, CompiledRule[]> byRoute = new HashMap<>();
    for (String route : routes) {
      List<CompiledRule> rs = new ArrayList<>();
      for (CompiledRule r : all) {
        String rr = r.spec.match().route();
        if (rr == null || rr.equals(route)) rs.add(r);
      }
      byRoute.put(route, rs.toArray(new CompiledRule[0]));
    }
    return new RuleSnapshot(all, byRoute, routeless.toArray(new CompiledRule[0]));
  }

  /** Every rule, in registry order. */
  CompiledRule[] all() {
    return all;
  }

  /** The rules that can match a request on {@code route} (null: only rules without a route). */
  CompiledRule[] forRoute(String route) {
    if (route == null) return routeless;
    CompiledRule[] rs = byRoute.get(route);
    return rs == null ? routeless : rs;
  }
}
