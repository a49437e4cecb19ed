package io.sidecar.cache;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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
  private final CachePurges purges;
  private final FillCoalescer fills = new FillCoalescer();
  private final EntryFreshness freshness;
  private final CacheHeaders headers;
  private final RefreshAhead refreshAhead;

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
    this.freshness = new EntryFreshness(config);
    this.headers = new CacheHeaders(config);
    long timeout = config.l2Timeout().toMillis();
    RedisOptions options = config.l2RedisUri() == null ? null : L2Store.options(config.l2RedisUri(), timeout);
    this.l2 = options == null ? null : new L2Store(vertx, options, config.l2KeyPrefix(), timeout,
        new ConsecutiveFailureBreaker(config.l2BreakerFailures(), config.l2BreakerOpen().toNanos(), System::nanoTime));
    String purgeChannel = config.l2KeyPrefix() + "purge";
    this.purges = new CachePurges(l1, l2, purgeChannel, config.instanceId());
    this.channel = options == null ? null : new PurgeChannel(vertx, options, purgeChannel, config.instanceId(),
        purges::applyRemote, config.pubSubReconnect().toMillis());
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
    HeaderFields reqHeaders = CacheHeaders.fields(req.headers());
    if (Invalidation.isUnsafe(method)) {
      return forwardUnsafe(req, method, policy, origin);
    }
    if (!policy.enabled() || !(method.equals("GET") || method.equals("HEAD")) || bypassed(policy, req, reqHeaders)) {
      return passThrough(req, policy, origin, CacheStatus.BYPASS);
    }
    Exchange x = exchange(req, method, reqHeaders, policy, origin, storedAnswerHeaders);
    return lookup(x.key().primary(), reqHeaders).compose(found -> {
      try {
        return onLookup(x, found);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "cache decision failed, passing the request through", e);
        storedAnswerHeaders.clear();
        return passThrough(req, policy, origin, CacheStatus.BYPASS);
      }
    });
  }

  private static Exchange exchange(CacheRequest req, String method, HeaderFields reqHeaders, CachePolicy policy,
      Origin origin, MultiMap storedAnswerHeaders) {
    CacheKey key = CacheKeys.of(req.scheme(), req.authority(), req.pathAndQuery(), reqHeaders, policy.keyRules());
    return new Exchange(req, method, reqHeaders, RequestDirectives.of(reqHeaders), key, policy, origin,
        Vertx.currentContext(), storedAnswerHeaders, false);
  }

  /**
   * The answer {@link #handle} would give when it is a fresh hit in memory, computed at once: a GET or HEAD the
   * policy does not bypass, whose entry is in L1 and may be served as it is (no validation, no stale serving, no
   * refresh-ahead due). Conditional and Range requests are answered as {@code handle} answers them (304, 206,
   * 416). Anything else returns null with nothing counted and {@code answerHeaders} untouched, and the caller
   * goes through {@code handle}. For a caller that serves hits without a future (the byte-level path); the
   * answer's headers are {@code answerHeaders}, its body a view of the stored one.
   */
  public CacheResponse freshHitInMemory(CacheRequest req, CachePolicy policy, MultiMap answerHeaders) {
    try {
      String method = req.method();
      if (!policy.enabled() || !(method.equals("GET") || method.equals("HEAD"))) return null;
      HeaderFields reqHeaders = CacheHeaders.fields(req.headers());
      if (bypassed(policy, req, reqHeaders)) return null;
      Exchange x = exchange(req, method, reqHeaders, policy, null, answerHeaders);
      StoredEntry entry = l1.get(x.key().primary(), reqHeaders);
      if (entry == null) return null;
      Directives cc = freshness.directives(entry);
      long lifetime = freshness.lifetime(entry, cc, policy).millis();
      long age = EntryFreshness.age(entry, clock.millis());
      if (ServeDecision.decide(x.rd(), cc, lifetime, age) != ServeDecision.Action.SERVE) return null;
      if (policy.refreshAhead() && refreshAhead.shouldRefresh(entry.hits(), lifetime, age)) return null;
      return serveStored(x, entry, CacheStatus.HIT, "L1", false);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cache lookup in memory failed, handing the request on", e);
      answerHeaders.clear();
      return null;
    }
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
    Directives cc = freshness.directives(entry);
    Freshness.Lifetime lifetime = freshness.lifetime(entry, cc, x.policy());
    long age = EntryFreshness.age(entry, now);
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
        Directives cc = freshness.directives(filled);
        long age = EntryFreshness.age(filled, clock.millis());
        long lifetime = freshness.lifetime(filled, cc, x.policy()).millis();
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
    CacheRequest upstream = x.req().withMethod("GET").withHeaders(CacheHeaders.without(x.req().headers(),
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
        freshness.learn(x.policy(), stale, !sameValidators(stale.response().headers(), CacheHeaders.fields(resp.headers())), responseTime);
      }
      return Future.succeededFuture(fromOrigin(x, leader, resp, requestTime, responseTime, stale));
    });
  }

  private Future<CacheResponse> onNotModified(Exchange x, StoredEntry stale, String staleLayer,
      Promise<StoredEntry> leader, OriginResponse resp, long requestTime, long responseTime) {
    discard(resp.body());
    HeaderFields h304 = CacheHeaders.fields(resp.headers());
    if (!Revalidation.selects(h304, stale.response())) {
      // §4.3.4: the 304 is about another representation; fetch the full response unconditionally
      return fetchWith(x, null, null, leader, MultiMap.caseInsensitiveMultiMap());
    }
    freshness.learn(x.policy(), stale, false, responseTime);
    StoredResponse updated = Revalidation.update(stale.response(), headers.withoutTags(h304), requestTime,
        responseTime);
    Directives cc = freshness.directives(updated.headers());
    long lifetime = freshness.lifetime(stale.keyUrl(), updated, cc, x.policy()).millis();
    long until = freshness.storeUntil(updated, cc, lifetime, responseTime);
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
    HeaderFields respHeaders = CacheHeaders.fields(resp.headers());
    Directives cc = freshness.directives(respHeaders);
    String refusal = Storability.refusal("GET", x.rd(), x.reqHeaders().contains("Authorization"), resp.status(),
        respHeaders, cc);
    Map<String, String> varyKey = Vary.secondaryKey(respHeaders, x.reqHeaders());
    long contentLength = CacheHeaders.contentLength(respHeaders);
    HeaderFields kept = headers.stored(respHeaders, cc);
    if (!kept.contains("Date")) {
      // RFC 9110 §6.6.1: a recipient with a clock adds Date to a response it caches
      kept = kept.with("Date", HttpDates.format(responseTime));
    }
    StoredResponse meta = new StoredResponse(resp.status(), kept, requestTime, responseTime);
    long lifetime = refusal == null ? freshness.lifetime(x.key().url(), meta, cc, x.policy()).millis() : 0;
    long until = refusal == null ? freshness.storeUntil(meta, cc, lifetime, responseTime) : 0;
    MultiMap out = headers.downstream(resp.headers());
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
    Set<String> tags = headers.tags(respHeaders);
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
      HeaderFields h = CacheHeaders.fields(resp.headers());
      if (resp.status() == 206) {
        long complete = ByteRanges.completeLength(h.first("Content-Range"));
        if (complete >= 0 && complete <= x.policy().maxObjectSize()
            && Storability.refusal("GET", x.rd(), x.reqHeaders().contains("Authorization"), 200, h,
                freshness.directives(h)) == null) {
          fillInBackground(x);
        }
      }
      MultiMap out = headers.downstream(resp.headers());
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
    Directives cc = freshness.directives(stale);
    long lifetime = freshness.lifetime(stale, cc, x.policy()).millis();
    long age = EntryFreshness.age(stale, clock.millis());
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
    List<String> noCacheFields = validatedNow ? List.of() : freshness.directives(entry).fieldNames("no-cache");
    for (Map.Entry<String, String> line : r.headers().lines()) {
      String name = line.getKey();
      if (headers.passedDownstream(name) && !CacheHeaders.namedIn(noCacheFields, name)) {
        out.add(name, line.getValue());
      }
    }
    out.set("Age", Long.toString(Math.min(EntryFreshness.age(entry, now) / 1000, Integer.MAX_VALUE)));
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
      HeaderFields h = CacheHeaders.fields(resp.headers());
      String target = CacheKeys.of(req.scheme(), req.authority(), req.pathAndQuery(), HeaderFields.EMPTY,
          policy.keyRules()).url();
      for (String url : Invalidation.targets(method, resp.status(), target, h)) {
        String normalised = normaliseAbsolute(url, policy);
        purges.invalidate(normalised, !policy.keyHeaders().isEmpty());
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

  // ------------------------------------------------------------------------------------------------ purge

  /**
   * Purges matching entries from L1 and L2 and tells the other instances (Redis pub/sub) to drop their L1
   * copies. Completes with the number of distinct primary keys removed here (L1 and L2 together).
   */
  public Future<Integer> purge(PurgeRequest request) {
    return purges.purge(request);
  }

  /** Parses and runs a purge body ({@link PurgeRequest#parse}); fails with {@link InvalidPurgeException}. */
  public Future<Integer> purge(Map<String, Object> body) {
    try {
      return purge(PurgeRequest.parse(body));
    } catch (InvalidPurgeException e) {
      return Future.failedFuture(e);
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
    out.put("adaptive_ttl", freshness.adaptiveSnapshot());
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

  private void store(StoredEntry e, long ttlMillis) {
    l1.put(e);
    if (l2 != null && e.body().length() <= config.l2MaxObjectSize()) {
      l2.put(e, ttlMillis);
    }
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
