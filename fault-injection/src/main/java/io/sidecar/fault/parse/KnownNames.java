package io.sidecar.fault.parse;

import static io.sidecar.fault.parse.FieldReader.child;
import static io.sidecar.fault.parse.FieldReader.index;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The route and cluster names of the config a fault or experiment is checked against. A fault, or a halt condition,
 * that names a route or cluster the config does not have can never match: with a typo in its route, an experiment's
 * faults would do nothing and its halt condition would never fire. Such input is refused with the field's path,
 * as any other invalid fault (the YAML {@code faults:} section against the same file, {@code POST /faults} and
 * {@code POST /experiments} against the config serving). Checked on trees the parsers accepted.
 */
public record KnownNames(Set<String> routes, Set<String> clusters) {

  public KnownNames {
    routes = Set.copyOf(routes);
    clusters = Set.copyOf(clusters);
  }

  /** One fault ({@link FaultSpecParser#parse}'s input) at {@code path}. */
  public List<FieldError> checkFault(Object tree, String path) {
    List<FieldError> errors = new ArrayList<>();
    fault(tree, path, errors);
    return errors;
  }

  /** A list of faults ({@link FaultSpecParser#parseList}'s input) at {@code path}. */
  public List<FieldError> checkFaults(Object tree, String path) {
    List<FieldError> errors = new ArrayList<>();
    faults(tree, path, errors);
    return errors;
  }

  /** An experiment ({@link ExperimentSpecParser#parse}'s input): its faults and its halt conditions' routes. */
  public List<FieldError> checkExperiment(Object tree, String path) {
    List<FieldError> errors = new ArrayList<>();
    if (!(tree instanceof Map<?, ?> m)) return errors;
    faults(m.get("faults"), child(path, "faults"), errors);
    if (m.get("halt_conditions") instanceof List<?> halts) {
      for (int i = 0; i < halts.size(); i++) {
        if (halts.get(i) instanceof Map<?, ?> halt) {
          name(halt, "route", routes, index(child(path, "halt_conditions"), i), errors);
        }
      }
    }
    return errors;
  }

  private void faults(Object tree, String path, List<FieldError> errors) {
    if (!(tree instanceof List<?> list)) return;
    for (int i = 0; i < list.size(); i++) fault(list.get(i), index(path, i), errors);
  }

  /** Match fields sit at the top level or inside {@code match} ({@link FaultSpecParser}). */
  private void fault(Object tree, String path, List<FieldError> errors) {
    if (!(tree instanceof Map<?, ?> m)) return;
    Map<?, ?> match = m.get("match") instanceof Map<?, ?> inner ? inner : m;
    String matchPath = match == m ? path : child(path, "match");
    name(match, "route", routes, matchPath, errors);
    name(match, "cluster", clusters, matchPath, errors);
  }

  private static void name(Map<?, ?> m, String key, Set<String> known, String path, List<FieldError> errors) {
    if (m.get(key) instanceof String name && !known.contains(name)) {
      errors.add(new FieldError(child(path, key), "no " + key + " named '" + name + "' in the config ("
          + (known.isEmpty() ? "it has none" : key + "s: " + String.join(", ", new TreeSet<>(known))) + ")"));
    }
  }
}
