package io.sidecar.cache;

import io.sidecar.cache.semantics.AdaptiveTtl;
import io.sidecar.cache.semantics.ByteRanges;
import io.sidecar.cache.semantics.CacheKeys;
import io.sidecar.cache.semantics.CacheKeys.CacheKey;
import io.sidecar.cache.semantics.Conditionals;
import io.sidecar.cache.semantics.ConsecutiveFailureBreaker;
import io.sidecar.cache.semantics.Directives;
import io.sidecar.cache.semantics.Freshness;
import io.sidecar.cache.semantics.HeaderFields;
import io.sidecar.cache.semantics.HttpDates;
import io.sidecar.cache.semantics.IfRange;
import io.sidecar.cache.semantics.Invalidation;
import io.sidecar.cache.semantics.RefreshAhead;
import io.sidecar.cache.semantics.RequestDirectives;
import io.sidecar.cache.semantics.ResponseDirectives;
import io.sidecar.cache.semantics.Revalidation;
import io.sidecar.cache.semantics.ServeDecision;
import io.sidecar.cache.semantics.StatusCodes;
import io.sidecar.cache.semantics.Storability;
import io.sidecar.cache.semantics.StoredResponse;
import io.sidecar.cache.semantics.Vary;
import io.sidecar.cache.store.BodyTee;
import io.sidecar.cache.store.FillCoalescer;
import io.sidecar.cache.store.L1Store;
import io.sidecar.cache.store.L2Store;
import io.sidecar.cache.store.PurgeChannel;
import io.sidecar.cache.store.StoredEntry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.redis.client.RedisOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The response cache as one stage: RFC 9111 shared-cache semantics over an in-process L1 and an optional Redis
 * L2, with request coalescing, purge (locally and, through Redis pub/sub, on every instance), refresh-ahead and
 * an adaptive heuristic TTL.
 *
 * <p>Thread-safe; call {@link #handle} from any event loop. Decisions are made by the plain-Java classes of
 * {@code io.sidecar.cache.semantics}; this class only moves bytes.
 */
public final class HttpCache {

  private static final System.Logger LOG = System.getLogger(HttpCache.class.getName());

  /**
   * What a fill does not forward: the client's own conditionals (the cache answers them) and Range / If-Range
   * (the cache stores the complete response and answers ranges from it, RFC 9110 §14).
   */
  private static final List<String> NOT_FORWARDED_ON_FILL = List.of("If-None-Match", "If-Modified-Since", "Range",
      "If-Range");
  /** Preconditions the cache does not evaluate: such requests go to the origin (RFC 9110 §13.1.1, §13.1.4). */
  private static final List<String> BYPASS_CONDITIONALS = List.of("If-Match", "If-Unmodified-Since");

  private final Vertx vertx;
  private final CacheConfig config;
  private final Clock clock;
  private final CacheStats stats = new CacheStats();
  private final L1Store l1;
  private final L2Store l2;
  private final PurgeChannel channel;
  private final FillCoalescer fills = new FillCoalescer();
  private final Map<String, AdaptiveTtl> adaptiveByRoute = new ConcurrentHashMap<>();
  private final RefreshAhead refreshAhead;
  private final List<String> strippedDownstream;
  private final List<String> tagHeaders;

  public HttpCache(Vertx vertx, CacheConfig config) {
    this(vertx, config, Clock.systemUTC());
  }

  /** @param clock the cache's clock (request/response times, ages); tests pass a controllable one */
  public HttpCache(Vertx vertx, CacheConfig config, Clock clock) {
    this.vertx = vertx;
    this.config = config;
    this.clock = clock;
    this.l1 = new L1Store(config.l1MaxBytes(), config.l1MaxHeapBytes(), config.maxVariants(), clock, (route, bytes) -> {
      CacheStats.RouteCounters c = stats.route(route);
      c.evictionsL1.increment();
      c.evictedBytesL1.add(bytes);
    });
    this.refreshAhead = new RefreshAhead(true, config.refreshAheadMinHits(), config.refreshAheadFraction(), 1000);
    List<String> stripped = new ArrayList<>(config.tagHeaders());
    stripped.add("Surrogate-Control");
    this.strippedDownstream = List.copyOf(stripped);
    this.tagHeaders = List.copyOf(config.tagHeaders());
    if (config.l2RedisUri() != null) {
      long timeout = config.l2Timeout().toMillis();
      RedisOptions options = L2Store.options(config.l2RedisUri(), timeout);
      this.l2 = new L2Store(vertx, options, config.l2KeyPrefix(), timeout,
          new ConsecutiveFailureBreaker(config.l2BreakerFailures(), config.l2BreakerOpen().toNanos(),
              System::nanoTime));
      this.channel = new PurgeChannel(vertx, options, config.l2KeyPrefix() + "purge", config.instanceId(),
          this::applyRemotePurge, config.pubSubReconnect().toMillis());
    } else {
      this.l2 = null;
      this.channel = null;
    }
  }

  /**
   * Subscribes to the purge channel when L2 is configured. The returned future completes when subscribed or
   * after {@code l2Timeout * 20} at most; subscription keeps being retried in the background.
   */
  public Future<Void> start() {
    if (channel == null) {
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    long timer = vertx.setTimer(Math.max(1000, config.l2Timeout().toMillis() * 20), t -> p.tryComplete());
    channel.start().onComplete(ar -> {
      vertx.cancelTimer(timer);
      p.tryComplete();
    });
    return p.future();
  }

  public Future<Void> close() {
    List<Future<?>> all = new ArrayList<>();
    if (channel != null) {
      all.add(channel.close());
    }
    if (l2 != null) {
      all.add(l2.close());
    }
    return Future.join(all).mapEmpty();
  }

  // ------------------------------------------------------------------------------------------------ handle

  /**
   * Answers a request from the cache or through {@code origin}. Fails only when the origin fails and no stale
   * response may stand in (the proxy maps that failure as it would without cache).
   */
  public Future<CacheResponse> handle(CacheRequest req, CachePolicy policy, Origin origin) {
    return handle(req, policy, origin, MultiMap.caseInsensitiveMultiMap());
  }

  /**
   * As {@link #handle(CacheRequest, CachePolicy, Origin)}, with the map an answer served from a store writes its
   * header fields into: pass the empty response headers, and a hit's fields are written once, not built and
   * copied (the answer's {@code headers()} is then that map).
   */
  public Future<CacheResponse> handle(CacheRequest req, CachePolicy policy, Origin origin, MultiMap storedAnswerHeaders) {
    try {
      return handleOrFail(req, policy, origin, storedAnswerHeaders);
    } catch (RuntimeException e) {
      // a bug or a request we cannot parse must not fail the request: pass it through uncached
      LOG.log(System.Logger.Level.WARNING, "cache stage failed, passing the request through", e);
      storedAnswerHeaders.clear();
      return passThrough(req, policy, origin, CacheStatus.BYPASS);
    }
  }

  private Future<CacheResponse> handleOrFail(CacheRequest req, CachePolicy policy, Origin origin,
      MultiMap storedAnswerHeaders) {
    String method = req.method().toUpperCase(Locale.ROOT);
    HeaderFields reqHeaders = fields(req.headers());
    if (Invalidation.isUnsafe(method)) {
      return forwardUnsafe(req, method, policy, origin);
    }
    if (!policy.enabled() || !(method.equals("GET") || method.equals("HEAD")) || bypassed(policy, req, reqHeaders)) {
      return passThrough(req, policy, origin, CacheStatus.BYPASS);
    }
    CacheKey key = CacheKeys.of(req.scheme(), req.authority(), req.pathAndQuery(), reqHeaders, policy.keyRules());
    RequestDirectives rd = RequestDirectives.of(reqHeaders);
    Exchange x = new Exchange(req, method, reqHeaders, rd, key, policy, origin, Vertx.currentContext(),
        storedAnswerHeaders, false);
    return lookup(key.primary(), reqHeaders).compose(found -> {
      try {
        return onLookup(x, found);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "cache decision failed, passing the request through", e);
        storedAnswerHeaders.clear();
        return passThrough(req, policy, origin, CacheStatus.BYPASS);
      }
    });
  }

  /**
   * One request in flight through the cache.
   *
   * @param storedAnswerHeaders where {@link #serveStored} writes the answer's header fields (empty until then)
   * @param fillOnly a background fill started by a range miss: nobody reads its answer, and its origin fetch is
   *     not counted as a second miss
   */
  private record Exchange(CacheRequest req, String method, HeaderFields reqHeaders, RequestDirectives rd,
      CacheKey key, CachePolicy policy, Origin origin, Context context, MultiMap storedAnswerHeaders,
      boolean fillOnly) {
    boolean head() {
      return method.equals("HEAD");
    }

    /** A GET with Range: the only method range handling is defined for (RFC 9110 §14.2). */
    boolean range() {
      return method.equals("GET") && reqHeaders.contains("Range");
    }
  }

  private record Found(StoredEntry entry, String layer) {
  }

  private boolean bypassed(CachePolicy policy, CacheRequest req, HeaderFields h) {
    for (String name : BYPASS_CONDITIONALS) {
      if (h.contains(name)) {
        return true;
      }
    }
    for (String name : policy.bypassRequestHeaders()) {
      if (h.contains(name)) {
        return true;
      }
    }
    String path = req.pathAndQuery() == null ? "/" : req.pathAndQuery();
    for (String prefix : policy.bypassPathPrefixes()) {
      if (path.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private Future<Found> lookup(String primary, HeaderFields reqHeaders) {
    StoredEntry e = l1.get(primary, reqHeaders);
    if (e != null) {
      return Future.succeededFuture(new Found(e, "L1"));
    }
    if (l2 == null) {
      return Future.succeededFuture(null);
    }
    return l2.get(primary, reqHeaders).map(fromL2 -> {
      if (fromL2 == null || fromL2.storeUntil() <= clock.millis()) {
        return null;
      }
      l1.put(fromL2); // promote
      return new Found(fromL2, "L2");
    });
  }

  private Future<CacheResponse> onLookup(Exchange x, Found found) {
    if (found == null) {
      if (x.rd().onlyIfCached()) {
        return Future.succeededFuture(gatewayTimeout(x));
      }
      if (x.head()) {
        // a HEAD miss is forwarded as HEAD and not stored; a later GET fills the cache
        return passThrough(x.req(), x.policy(), x.origin(), CacheStatus.MISS);
      }
      if (x.range()) {
        return rangeMiss(x);
      }
      return fetchCoalesced(x, null, null);
    }
    StoredEntry entry = found.entry();
    long now = clock.millis();
    Directives cc = directives(entry);
    Freshness.Lifetime lifetime = lifetime(entry, cc, x.policy());
    long age = age(entry, now);
    ServeDecision.Action action = ServeDecision.decide(x.rd(), cc, lifetime.millis(), age);
    switch (action) {
      case SERVE:
        if (x.policy().refreshAhead() && refreshAhead.shouldRefresh(entry.hits(), lifetime.millis(), age)) {
          refreshInBackground(x, entry);
        }
        return Future.succeededFuture(serveStored(x, entry, CacheStatus.HIT, found.layer(), false));
      case SERVE_STALE:
        return Future.succeededFuture(serveStored(x, entry, CacheStatus.STALE, found.layer(), false));
      case SERVE_STALE_AND_REVALIDATE:
        refreshInBackground(x, entry);
        return Future.succeededFuture(serveStored(x, entry, CacheStatus.STALE, found.layer(), false));
      case GATEWAY_TIMEOUT:
        return Future.succeededFuture(gatewayTimeout(x));
      case REVALIDATE:
      default:
        return fetchCoalesced(x, entry, found.layer());
    }
  }

  // ------------------------------------------------------------------------------------------------ fetching

  /**
   * A miss or a validation: lead the fill for this key, or wait (bounded) for the leader's and reuse it.
   *
   * @param stale the stored entry being validated, or null on a miss
   */
  private Future<CacheResponse> fetchCoalesced(Exchange x, StoredEntry stale, String staleLayer) {
    String primary = x.key().primary();
    Promise<StoredEntry> leader = fills.tryLead(primary);
    if (leader != null) {
      return fetch(x, stale, staleLayer, leader);
    }
    Future<StoredEntry> inflight = fills.inflight(primary);
    if (inflight == null) {
      return fetch(x, stale, staleLayer, null);
    }
    // the fill happened while this request waited: reusable unless the response itself forbids reuse
    return serveFillOr(x, inflight, RequestDirectives.NONE, () -> fetch(x, stale, staleLayer, null));
  }

  /**
   * Waits (bounded) for the fill running for {@code x}'s key and answers from it as a coalesced hit when it matches
   * the request's Vary fields and {@code rd} lets it be served; otherwise {@code otherwise}.
   */
  private Future<CacheResponse> serveFillOr(Exchange x, Future<StoredEntry> inflight, RequestDirectives rd,
      java.util.function.Supplier<Future<CacheResponse>> otherwise) {
    return waitBounded(x.context(), inflight).compose(filled -> {
      if (filled != null && Vary.matches(filled.varyKey(), x.reqHeaders())) {
        Directives cc = directives(filled);
        long age = age(filled, clock.millis());
        long lifetime = lifetime(filled, cc, x.policy()).millis();
        if (ServeDecision.decide(rd, cc, lifetime, age) == ServeDecision.Action.SERVE) {
          stats.route(x.policy().route()).coalesced.increment();
          return Future.succeededFuture(serveStored(x, filled, CacheStatus.HIT, "L1", true));
        }
      }
      return otherwise.get();
    });
  }

  /** Waits for a fill, at most {@code coalesceWait}; null on timeout. Continues on the caller's context. */
  private Future<StoredEntry> waitBounded(Context ctx, Future<StoredEntry> fill) {
    Promise<StoredEntry> p = Promise.promise();
    long timer = vertx.setTimer(config.coalesceWait().toMillis(), t -> p.tryComplete(null));
    fill.onComplete(ar -> {
      vertx.cancelTimer(timer);
      StoredEntry e = ar.succeeded() ? ar.result() : null;
      if (ctx != null && Vertx.currentContext() != ctx) {
        ctx.runOnContext(v -> p.tryComplete(e));
      } else {
        p.tryComplete(e);
      }
    });
    return p.future();
  }

  private Future<CacheResponse> fetch(Exchange x, StoredEntry stale, String staleLayer, Promise<StoredEntry> leader) {
    MultiMap conditional = MultiMap.caseInsensitiveMultiMap();
    if (stale != null) {
      Revalidation.conditionalHeaders(stale.response()).forEach(conditional::add);
    }
    return fetchWith(x, stale, staleLayer, leader, conditional);
  }

  private Future<CacheResponse> fetchWith(Exchange x, StoredEntry stale, String staleLayer,
      Promise<StoredEntry> leader, MultiMap conditional) {
    long requestTime = clock.millis();
    CacheRequest upstream = x.req().withMethod("GET").withHeaders(without(x.req().headers(),
        NOT_FORWARDED_ON_FILL));
    Future<OriginResponse> call;
    try {
      call = x.origin().fetch(upstream, conditional);
    } catch (RuntimeException e) {
      call = Future.failedFuture(e);
    }
    return call.transform(ar -> {
      if (ar.failed()) {
        stats.route(x.policy().route()).originErrors.increment();
        fills.finish(x.key().primary(), leader, null);
        if (stale != null && staleIfError(x, stale)) {
          return Future.succeededFuture(serveStored(x, stale, CacheStatus.STALE, staleLayer, false));
        }
        return Future.failedFuture(ar.cause());
      }
      OriginResponse resp = ar.result();
      resp.body().pause();
      long responseTime = clock.millis();
      if (stale != null && resp.status() == 304) {
        return onNotModified(x, stale, staleLayer, leader, resp, requestTime, responseTime);
      }
      if (stale != null && isServerError(resp.status()) && staleIfError(x, stale)) {
        stats.route(x.policy().route()).originErrors.increment();
        discard(resp.body());
        fills.finish(x.key().primary(), leader, null);
        return Future.succeededFuture(serveStored(x, stale, CacheStatus.STALE, staleLayer, false));
      }
      if (stale != null && resp.status() == 200) {
        learn(x, stale, !sameValidators(stale.response().headers(), fields(resp.headers())), responseTime);
      }
      return Future.succeededFuture(fromOrigin(x, leader, resp, requestTime, responseTime, stale));
    });
  }

  private Future<CacheResponse> onNotModified(Exchange x, StoredEntry stale, String staleLayer,
      Promise<StoredEntry> leader, OriginResponse resp, long requestTime, long responseTime) {
    discard(resp.body());
    HeaderFields h304 = fields(resp.headers());
    if (!Revalidation.selects(h304, stale.response())) {
      // §4.3.4: the 304 is about another representation; fetch the full response unconditionally
      return fetchWith(x, null, null, leader, MultiMap.caseInsensitiveMultiMap());
    }
    learn(x, stale, false, responseTime);
    StoredResponse updated = Revalidation.update(stale.response(), h304.without(tagHeaders), requestTime,
        responseTime);
    Directives cc = directives(updated.headers());
    long lifetime = lifetime(stale.keyUrl(), updated, cc, x.policy()).millis();
    long until = storeUntil(updated, cc, lifetime, responseTime);
    StoredEntry refreshed = stale.withResponse(updated, until);
    if (until > responseTime) {
      store(refreshed, until - responseTime);
    }
    fills.finish(x.key().primary(), leader, refreshed);
    return Future.succeededFuture(serveStored(x, refreshed, CacheStatus.REVALIDATED, staleLayer, true));
  }

  /** A full response from the origin: tee it into storage when storable, else pass it on. */
  private CacheResponse fromOrigin(Exchange x, Promise<StoredEntry> leader, OriginResponse resp, long requestTime,
      long responseTime, StoredEntry replaced) {
    CacheStats.RouteCounters counters = stats.route(x.policy().route());
    if (!x.fillOnly()) {
      counters.misses.increment();
    }
    HeaderFields respHeaders = fields(resp.headers());
    Directives cc = directives(respHeaders);
    String refusal = Storability.refusal("GET", x.rd(), x.reqHeaders().contains("Authorization"), resp.status(),
        respHeaders, cc);
    Map<String, String> varyKey = Vary.secondaryKey(respHeaders, x.reqHeaders());
    long contentLength = contentLength(respHeaders);
    HeaderFields kept = storedHeaders(respHeaders, cc);
    if (!kept.contains("Date")) {
      // RFC 9110 §6.6.1: a recipient with a clock adds Date to a response it caches
      kept = kept.with("Date", HttpDates.format(responseTime));
    }
    StoredResponse meta = new StoredResponse(resp.status(), kept, requestTime, responseTime);
    long lifetime = refusal == null ? lifetime(x.key().url(), meta, cc, x.policy()).millis() : 0;
    long until = refusal == null ? storeUntil(meta, cc, lifetime, responseTime) : 0;
    MultiMap out = downstreamHeaders(resp.headers());
    out.set(CacheResponse.X_CACHE, CacheStatus.MISS.name());
    out.set(CacheResponse.X_CACHE_LAYER, "ORIGIN");
    boolean storable = refusal == null && varyKey != null && until > responseTime
        && contentLength <= x.policy().maxObjectSize();
    if (!storable) {
      if (refusal != null || varyKey == null) {
        counters.notStorable.increment();
      } else if (contentLength > x.policy().maxObjectSize()) {
        counters.oversize.increment();
      }
      fills.finish(x.key().primary(), leader, null);
      if (replaced != null) {
        l1.remove(x.key().primary()); // the origin has a newer response we may not store: drop the old one
      }
      if (x.head()) {
        discard(resp.body());
        return new CacheResponse(resp.status(), out, null, null, CacheStatus.MISS, "ORIGIN");
      }
      return new CacheResponse(resp.status(), out, null, resp.body(), CacheStatus.MISS, "ORIGIN");
    }
    Set<String> tags = tags(respHeaders);
    long expected = respHeaders.contains("Content-Length") ? contentLength : -1;
    BodyTee tee = new BodyTee(resp.body(), x.policy().maxObjectSize(), expected, body -> {
      if (body == null) {
        counters.oversize.increment();
        fills.finish(x.key().primary(), leader, null);
        return;
      }
      StoredEntry e = new StoredEntry(x.key().primary(), x.key().url(), x.policy().route(), tags, varyKey,
          meta, body, until);
      counters.bytesStored.add(body.length());
      store(e, until - clock.millis());
      fills.finish(x.key().primary(), leader, e);
    });
    if (x.head() || (Conditionals.isConditional(x.reqHeaders()) && Conditionals.notModified(x.reqHeaders(), meta))) {
      tee.drain();
      int status = x.head() ? resp.status() : 304;
      if (status == 304) {
        out.remove("Content-Length");
        out.remove("Transfer-Encoding");
      }
      return new CacheResponse(status, out, null, null, CacheStatus.MISS, "ORIGIN");
    }
    return new CacheResponse(resp.status(), out, null, tee, CacheStatus.MISS, "ORIGIN");
  }

  /**
   * A GET with Range and nothing stored. A fill for the key already running is waited for (bounded, as any
   * coalesced miss) and the range is answered from it. Otherwise the request goes to the origin with its Range
   * and If-Range, so the client's latency and bytes are what they would be without the cache:
   * <ul>
   *   <li>a 200 (the origin ignored Range, or its If-Range failed) is the complete response: stored as any miss;
   *   <li>a 206 is passed on and not stored (RFC 9111 §3.4 allows combining parts; this cache does not). When
   *       its {@code Content-Range} gives a complete length within the route's {@code max_object_size}, the
   *       complete response is fetched in the background without Range and stored, so the next ranges are hits
   *       (nginx fetches the whole object on a range miss too, but makes the client wait for it; larger objects,
   *       e.g. videos beyond the limit, are never fetched whole);
   *   <li>anything else is passed on.
   * </ul>
   */
  private Future<CacheResponse> rangeMiss(Exchange x) {
    Future<StoredEntry> inflight = fills.inflight(x.key().primary());
    if (inflight == null) {
      return forwardRange(x);
    }
    return serveFillOr(x, inflight, x.rd(), () -> forwardRange(x));
  }

  private Future<CacheResponse> forwardRange(Exchange x) {
    long requestTime = clock.millis();
    Future<OriginResponse> call;
    try {
      call = x.origin().fetch(x.req(), MultiMap.caseInsensitiveMultiMap());
    } catch (RuntimeException e) {
      call = Future.failedFuture(e);
    }
    CacheStats.RouteCounters counters = stats.route(x.policy().route());
    return call.map(resp -> {
      resp.body().pause();
      if (resp.status() == 200) {
        // the complete response: stored as any miss (fromOrigin counts it), led only if no fill runs
        return fromOrigin(x, fills.tryLead(x.key().primary()), resp, requestTime, clock.millis(), null);
      }
      counters.misses.increment();
      HeaderFields h = fields(resp.headers());
      if (resp.status() == 206) {
        long complete = ByteRanges.completeLength(h.first("Content-Range"));
        if (complete >= 0 && complete <= x.policy().maxObjectSize()
            && Storability.refusal("GET", x.rd(), x.reqHeaders().contains("Authorization"), 200, h,
                directives(h)) == null) {
          fillInBackground(x);
        }
      }
      MultiMap out = downstreamHeaders(resp.headers());
      out.set(CacheResponse.X_CACHE, CacheStatus.MISS.name());
      out.set(CacheResponse.X_CACHE_LAYER, "ORIGIN");
      return new CacheResponse(resp.status(), out, null, resp.body(), CacheStatus.MISS, "ORIGIN");
    });
  }

  /** Fetches and stores the complete response for a key a range miss found empty; one per key at a time. */
  private void fillInBackground(Exchange x) {
    Promise<StoredEntry> leader = fills.tryLead(x.key().primary());
    if (leader == null) {
      return; // a fill for this key is already running
    }
    Exchange fill = new Exchange(x.req().withMethod("GET"), "GET", x.reqHeaders().without(NOT_FORWARDED_ON_FILL),
        x.rd(), x.key(), x.policy(), x.origin(), x.context(), MultiMap.caseInsensitiveMultiMap(), true);
    fetch(fill, null, null, leader).onComplete(ar -> {
      if (ar.succeeded() && ar.result().stream() != null) {
        discard(ar.result().stream());
      }
    });
  }

  /** Stale-while-revalidate and refresh-ahead: one background validation per entry, joined to coalescing. */
  private void refreshInBackground(Exchange x, StoredEntry entry) {
    if (!entry.startRefresh()) {
      return;
    }
    Promise<StoredEntry> leader = fills.tryLead(x.key().primary());
    if (leader == null) {
      entry.refreshDone(); // a fill for this key is already running
      return;
    }
    stats.route(x.policy().route()).backgroundRefreshes.increment();
    Exchange background = new Exchange(x.req().withMethod("GET"), "GET", x.reqHeaders().without(NOT_FORWARDED_ON_FILL),
        RequestDirectives.NONE, x.key(), x.policy(), x.origin(), x.context(), MultiMap.caseInsensitiveMultiMap(),
        false);
    fetch(background, entry, "L1", leader).onComplete(ar -> {
      entry.refreshDone();
      if (ar.succeeded() && ar.result().stream() != null) {
        discard(ar.result().stream());
      }
    });
  }

  private boolean staleIfError(Exchange x, StoredEntry stale) {
    Directives cc = directives(stale);
    long lifetime = lifetime(stale, cc, x.policy()).millis();
    long age = age(stale, clock.millis());
    return ServeDecision.staleIfErrorAllowed(x.rd(), cc, lifetime, age);
  }

  /** Does a full response carry the same validator as the stored one (content did not change)? */
  private static boolean sameValidators(HeaderFields stored, HeaderFields fresh) {
    String a = stored.first("ETag");
    String b = fresh.first("ETag");
    if (a != null || b != null) {
      return a != null && b != null && Conditionals.strongEquals(a, b);
    }
    String la = stored.first("Last-Modified");
    String lb = fresh.first("Last-Modified");
    return la != null && la.equals(lb);
  }

  private static boolean isServerError(int origin) {
    int status = StatusCodes.processedAs(origin); // an invalid code counts as a 5xx (RFC 9110 §15)
    return status == 500 || status == 502 || status == 503 || status == 504;
  }

  // ------------------------------------------------------------------------------------------------ serving

  private CacheResponse serveStored(Exchange x, StoredEntry entry, CacheStatus status, String layer,
      boolean validatedNow) {
    StoredResponse r = entry.response();
    long now = clock.millis();
    MultiMap out = x.storedAnswerHeaders();
    // RFC 9111 section 5.2.2.4: a qualified no-cache hides the fields it names from a response not validated now
    List<String> noCacheFields = validatedNow ? List.of() : directives(entry).fieldNames("no-cache");
    for (Map.Entry<String, String> line : r.headers().lines()) {
      String name = line.getKey();
      if (!namedIn(strippedDownstream, name) && !namedIn(noCacheFields, name)) {
        out.add(name, line.getValue());
      }
    }
    out.set("Age", Long.toString(Math.min(age(entry, now) / 1000, Integer.MAX_VALUE)));
    out.set(CacheResponse.X_CACHE, status.name());
    out.set(CacheResponse.X_CACHE_LAYER, layer);
    entry.hit();
    CacheStats.RouteCounters counters = stats.route(x.policy().route());
    switch (status) {
      case HIT -> ("L2".equals(layer) ? counters.hitsL2 : counters.hitsL1).increment();
      case STALE -> counters.stale.increment();
      case REVALIDATED -> counters.revalidated.increment();
      default -> { }
    }
    if (Conditionals.isConditional(x.reqHeaders()) && Conditionals.notModified(x.reqHeaders(), r)) {
      out.remove("Content-Length");
      out.remove("Transfer-Encoding");
      return new CacheResponse(304, out, null, null, status, layer);
    }
    out.remove("Transfer-Encoding");
    if (x.range()) {
      ByteRanges.Decision d = IfRange.decide(x.reqHeaders(), r, entry.body().length());
      if (d.kind() == ByteRanges.Kind.PARTIAL) {
        // RFC 9110 §15.3.7: one part; the stored fields (Date, Cache-Control, ETag, Expires, Vary...) are kept
        out.set("Content-Range", d.contentRange());
        out.set("Content-Length", Long.toString(d.size()));
        counters.bytesFromCache.add(d.size());
        Buffer part = entry.body().slice((int) d.first(), (int) d.last() + 1); // a view, no copy
        return new CacheResponse(206, out, part, null, status, layer);
      }
      if (d.kind() == ByteRanges.Kind.UNSATISFIABLE) {
        // RFC 9110 §15.5.17: the current length in Content-Range; none of the stored content fields
        out.clear();
        out.set("Date", HttpDates.format(now));
        out.set("Content-Range", d.contentRange());
        out.set("Content-Length", "0");
        out.set(CacheResponse.X_CACHE, status.name());
        out.set(CacheResponse.X_CACHE_LAYER, layer);
        return new CacheResponse(416, out, null, null, status, layer);
      }
    }
    if (r.status() != 204 && r.status() != 304) {
      out.set("Content-Length", Integer.toString(entry.body().length()));
    }
    if (x.head() || entry.body().length() == 0) {
      return new CacheResponse(r.status(), out, null, null, status, layer);
    }
    counters.bytesFromCache.add(entry.body().length());
    return new CacheResponse(r.status(), out, entry.body(), null, status, layer);
  }

  private CacheResponse gatewayTimeout(Exchange x) {
    stats.route(x.policy().route()).misses.increment();
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    out.set("Content-Length", "0");
    out.set(CacheResponse.X_CACHE, CacheStatus.MISS.name());
    out.set(CacheResponse.X_CACHE_LAYER, "CACHE");
    return new CacheResponse(504, out, null, null, CacheStatus.MISS, "CACHE");
  }

  private Future<CacheResponse> passThrough(CacheRequest req, CachePolicy policy, Origin origin, CacheStatus status) {
    CacheStats.RouteCounters c = stats.route(policy.route());
    (status == CacheStatus.BYPASS ? c.bypass : c.misses).increment();
    Future<OriginResponse> call;
    try {
      call = origin.fetch(req, MultiMap.caseInsensitiveMultiMap());
    } catch (RuntimeException e) {
      call = Future.failedFuture(e);
    }
    return call.map(resp -> {
      resp.body().pause();
      MultiMap out = MultiMap.caseInsensitiveMultiMap().addAll(resp.headers());
      out.set(CacheResponse.X_CACHE, status.name());
      out.set(CacheResponse.X_CACHE_LAYER, "ORIGIN");
      if (req.method().equalsIgnoreCase("HEAD")) {
        discard(resp.body());
        return new CacheResponse(resp.status(), out, null, null, status, "ORIGIN");
      }
      return new CacheResponse(resp.status(), out, null, resp.body(), status, "ORIGIN");
    });
  }

  /** RFC 9111 §4.4: a non-error response to an unsafe method invalidates the target and same-origin URIs. */
  private Future<CacheResponse> forwardUnsafe(CacheRequest req, String method, CachePolicy policy, Origin origin) {
    return passThrough(req, policy, origin, CacheStatus.BYPASS).onSuccess(resp -> {
      HeaderFields h = fields(resp.headers());
      String target = CacheKeys.of(req.scheme(), req.authority(), req.pathAndQuery(), HeaderFields.EMPTY,
          policy.keyRules()).url();
      for (String url : Invalidation.targets(method, resp.status(), target, h)) {
        String normalised = normaliseAbsolute(url, policy);
        invalidate(normalised, !policy.keyHeaders().isEmpty());
      }
    });
  }

  private static String normaliseAbsolute(String url, CachePolicy policy) {
    int schemeEnd = url.indexOf("://");
    if (schemeEnd < 0) {
      return url;
    }
    String scheme = url.substring(0, schemeEnd);
    String rest = url.substring(schemeEnd + 3);
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String pq = slash < 0 ? "/" : rest.substring(slash);
    return CacheKeys.of(scheme, authority, pq, HeaderFields.EMPTY, policy.keyRules()).url();
  }

  private void invalidate(String url, boolean scanL2) {
    l1.removeUrl(url);
    if (l2 != null) {
      PurgeRequest.Key key = new PurgeRequest.Key(url);
      if (scanL2) {
        l2.purge(u -> key.matches(u, Set.of()), null, false); // keys with header parts: scan
      } else {
        l2.deletePrimary(url); // the primary key is the URL: one DEL (orphans any Vary variants)
      }
      l2.publish(channel.channel(), PurgeChannel.message(config.instanceId(), key.kind(), key.value()));
    }
  }

  // ------------------------------------------------------------------------------------------------ purge

  /**
   * Purges matching entries from L1 and L2 and tells the other instances (Redis pub/sub) to drop their L1
   * copies. Completes with the number of distinct primary keys removed here (L1 and L2 together).
   */
  public Future<Integer> purge(PurgeRequest request) {
    Set<String> removed = new HashSet<>(purgeL1(request));
    if (l2 == null) {
      return Future.succeededFuture(removed.size());
    }
    Future<Set<String>> fromL2;
    if (request instanceof PurgeRequest.All) {
      fromL2 = l2.purge(u -> true, null, true);
    } else if (request instanceof PurgeRequest.Tag t) {
      fromL2 = l2.purge(u -> false, t.tag(), false);
    } else {
      fromL2 = l2.purge(u -> request.matches(u, Set.of()), null, false);
    }
    return fromL2.compose(keys -> {
      removed.addAll(keys);
      return l2.publish(channel.channel(),
          PurgeChannel.message(config.instanceId(), request.kind(), request.value()))
          .transform(ar -> Future.succeededFuture(removed.size()));
    });
  }

  /** Parses and runs a purge body ({@link PurgeRequest#parse}); fails with {@link InvalidPurgeException}. */
  public Future<Integer> purge(Map<String, Object> body) {
    try {
      return purge(PurgeRequest.parse(body));
    } catch (InvalidPurgeException e) {
      return Future.failedFuture(e);
    }
  }

  private List<String> purgeL1(PurgeRequest request) {
    if (request instanceof PurgeRequest.Key k && !k.url().startsWith("/")) {
      List<String> removed = new ArrayList<>(l1.removeUrl(k.url()));
      removed.addAll(l1.removeIf(e -> k.matches(e.keyUrl(), e.tags())));
      return removed;
    }
    return l1.removeIf(e -> request.matches(e.keyUrl(), e.tags()));
  }

  private void applyRemotePurge(String kind, String value) {
    try {
      purgeL1(PurgeRequest.of(kind, value));
    } catch (InvalidPurgeException ignored) {
      // a malformed message from another instance: nothing to do
    }
  }

  // ------------------------------------------------------------------------------------------------ stats

  /** Counters per route and layer plus the learnt adaptive TTLs; JSON-friendly maps and numbers. */
  public Map<String, Object> stats() {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> layers = new LinkedHashMap<>();
    Map<String, Object> l1s = new LinkedHashMap<>();
    l1s.put("entries", l1.entryCount());
    l1s.put("bytes", l1.storedBytes());
    l1s.put("max_bytes", config.l1MaxBytes());
    l1s.put("heap_bytes", l1.heapBytes());
    l1s.put("max_heap_bytes", config.l1MaxHeapBytes());
    long evictions = 0;
    for (Map<String, Object> r : stats.routesSnapshot().values()) {
      evictions += (Long) r.get("evictions_l1");
    }
    l1s.put("evictions", evictions);
    layers.put("L1", l1s);
    if (l2 != null) {
      Map<String, Object> l2s = new LinkedHashMap<>();
      l2s.put("hits", l2.hits.sum());
      l2s.put("misses", l2.misses.sum());
      l2s.put("errors", l2.errors.sum());
      l2s.put("skipped", l2.skipped.sum());
      l2s.put("writes", l2.writes.sum());
      l2s.put("bytes_read", l2.bytesRead.sum());
      l2s.put("bytes_written", l2.bytesWritten.sum());
      l2s.put("breaker", l2.breaker().state().name());
      l2s.put("purge_subscribed", channel.subscribed());
      layers.put("L2", l2s);
    }
    out.put("layers", layers);
    out.put("routes", stats.routesSnapshot());
    Map<String, Object> adaptive = new LinkedHashMap<>();
    adaptiveByRoute.forEach((route, a) -> {
      Map<String, Object> prefixes = new LinkedHashMap<>();
      a.snapshot().forEach((p, est) -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("checks", est.checks());
        m.put("changes", est.changes());
        m.put("mean_interval_ms", est.meanIntervalMillis());
        m.put("ttl_ms", est.ttlMillis());
        prefixes.put(p, m);
      });
      adaptive.put(route, prefixes);
    });
    out.put("adaptive_ttl", adaptive);
    out.put("coalescing_in_flight", fills.size());
    return out;
  }

  public boolean l2Enabled() {
    return l2 != null;
  }

  /** The raw counters (for a metrics binder). */
  public CacheStats counters() {
    return stats;
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private Directives directives(HeaderFields responseHeaders) {
    return ResponseDirectives.effective(responseHeaders, config.targetedFields());
  }

  private Directives directives(StoredEntry entry) {
    Object d = entry.cachedDirectives();
    if (d == null) {
      d = directives(entry.response().headers());
      entry.cacheDirectives(d);
    }
    return (Directives) d;
  }

  private static long age(StoredEntry entry, long now) {
    long initial = entry.cachedInitialAge();
    if (initial < 0) {
      initial = Freshness.correctedInitialAge(entry.response());
      entry.cacheInitialAge(initial);
    }
    return initial + Math.max(0, now - entry.response().responseTime());
  }

  private Freshness.Lifetime lifetime(StoredEntry entry, Directives cc, CachePolicy policy) {
    Object cached = entry.cachedExplicitLifetime();
    if (cached != null) {
      return (Freshness.Lifetime) cached;
    }
    Freshness.Lifetime l = lifetime(entry.keyUrl(), entry.response(), cc, policy);
    if (l.source() == Freshness.Source.S_MAXAGE || l.source() == Freshness.Source.MAX_AGE
        || l.source() == Freshness.Source.EXPIRES) {
      entry.cacheExplicitLifetime(l); // independent of the route's heuristics
    }
    return l;
  }

  private Freshness.Lifetime lifetime(String keyUrl, StoredResponse r, Directives cc, CachePolicy policy) {
    long adaptive = -1;
    if (policy.adaptiveTtl() && policy.heuristic()) {
      adaptive = adaptive(policy).ttlMillis(AdaptiveTtl.prefixOf(keyUrl, config.adaptivePrefixDepth()));
    }
    Freshness.Heuristics h = new Freshness.Heuristics(policy.heuristic(), policy.heuristicFraction(),
        policy.heuristicMax().toMillis(), adaptive, policy.defaultTtl() == null ? -1 : policy.defaultTtl().toMillis());
    return Freshness.lifetime(r, cc, h);
  }

  private AdaptiveTtl adaptive(CachePolicy policy) {
    AdaptiveTtl a = adaptiveByRoute.get(policy.route());
    if (a != null) {
      return a;
    }
    return adaptiveByRoute.computeIfAbsent(policy.route(), r -> new AdaptiveTtl(new AdaptiveTtl.Settings(
        policy.adaptiveMin().toMillis(), policy.adaptiveMax().toMillis(), config.adaptiveTargetStaleness(),
        config.adaptiveMinSamples(), 0.95)));
  }

  /** Feeds the adaptive TTL with a validation outcome of a heuristically fresh entry. */
  private void learn(Exchange x, StoredEntry stale, boolean changed, long now) {
    if (!x.policy().adaptiveTtl() || !x.policy().heuristic()) {
      return;
    }
    Directives cc = directives(stale.response().headers());
    Freshness.Lifetime explicit = Freshness.lifetime(stale.response(), cc, Freshness.Heuristics.NONE);
    if (explicit.source() != Freshness.Source.NONE) {
      return; // the origin states freshness explicitly: nothing to learn
    }
    adaptive(x.policy()).observe(AdaptiveTtl.prefixOf(stale.keyUrl(), config.adaptivePrefixDepth()), changed,
        now - stale.response().responseTime());
  }

  /**
   * How long to keep an entry (L1 expiry and L2 TTL): its remaining freshness plus a stale window, the larger
   * of the stale-while-revalidate / stale-if-error it allows (RFC 5861) and {@code staleRetention} (stale
   * entries still answer max-stale and stale-if-error requests, and validate cheaply with a 304).
   */
  private long storeUntil(StoredResponse r, Directives cc, long lifetime, long now) {
    long freshLeft = lifetime - Freshness.currentAge(r, now);
    long staleWindow = config.staleRetention().toMillis();
    for (String d : new String[] {"stale-while-revalidate", "stale-if-error"}) {
      Long s = cc.seconds(d);
      if (s != null && s != Directives.INVALID) {
        staleWindow = Math.max(staleWindow, s * 1000);
      }
    }
    return now + Math.max(0, freshLeft) + staleWindow;
  }

  private void store(StoredEntry e, long ttlMillis) {
    l1.put(e);
    if (l2 != null && e.body().length() <= config.l2MaxObjectSize()) {
      l2.put(e, ttlMillis);
    }
  }

  /** Headers kept with a stored response: no hop-by-hop, Connection-listed, private-qualified or tag fields. */
  private HeaderFields storedHeaders(HeaderFields h, Directives cc) {
    List<String> drop = new ArrayList<>(Revalidation.HOP_BY_HOP);
    drop.addAll(h.listElements("Connection"));
    drop.addAll(cc.fieldNames("private"));
    drop.addAll(tagHeaders); // kept as the entry's tags; Surrogate-Control stays (it holds our directives)
    drop.add(CacheResponse.X_CACHE);
    drop.add(CacheResponse.X_CACHE_LAYER);
    return h.without(drop);
  }

  /** Whether {@code name} is one of {@code names}, ignoring case (the lists here hold a few names). */
  private static boolean namedIn(List<String> names, String name) {
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).equalsIgnoreCase(name)) return true;
    }
    return false;
  }

  private MultiMap downstreamHeaders(MultiMap origin) {
    MultiMap out = MultiMap.caseInsensitiveMultiMap().addAll(origin);
    for (String s : strippedDownstream) {
      out.remove(s);
    }
    return out;
  }

  private Set<String> tags(HeaderFields h) {
    Set<String> tags = new HashSet<>();
    for (String header : config.tagHeaders()) {
      for (String v : h.all(header)) {
        for (String t : v.split("[,\\s]+")) {
          if (!t.isEmpty()) {
            tags.add(t);
          }
        }
      }
    }
    return tags;
  }

  private static long contentLength(HeaderFields h) {
    String cl = h.first("Content-Length");
    if (cl == null) {
      return 0;
    }
    try {
      return Long.parseLong(cl.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static HeaderFields fields(MultiMap m) {
    List<Map.Entry<String, String>> lines = new ArrayList<>(m.size());
    for (Map.Entry<String, String> e : m) {
      lines.add(e);
    }
    return HeaderFields.of(lines);
  }

  private static MultiMap without(MultiMap h, List<String> names) {
    MultiMap out = MultiMap.caseInsensitiveMultiMap().addAll(h);
    names.forEach(out::remove);
    return out;
  }

  private static void discard(ReadStream<Buffer> body) {
    if (body instanceof BodyTee tee) {
      tee.drain();
      return;
    }
    body.handler(b -> { });
    body.endHandler(v -> { });
    body.exceptionHandler(t -> { });
    body.resume();
  }
}
