import { canonicalJSON } from '@promfleet/kube/apply';
import { errorMessage } from '@promfleet/kube/client';
import { KitMetrics, silentLogger, type Logger } from '@promfleet/kube/observability';
import { Redis } from 'ioredis';

import { LocalView } from './local-view.ts';
import { readEntry, readMessage, StoreEntryMetrics } from './redis-entries.ts';
import { setKey, type EndpointChange, type EndpointSet, type EndpointSnapshot, type EndpointStore } from './store.ts';

/**
 * Endpoint records in Redis: one hash of `<namespace>/<name>` → records, a revision counter, and
 * a pub/sub channel of changes. Writes are Lua scripts, so "store, bump, publish" is atomic and
 * a write that changes nothing bumps nothing. Every reader (the hub itself and each
 * `promfleet-hub api` replica) keeps a local copy from a snapshot plus the channel, reloads the
 * snapshot after a gap or a reconnect, and serves its last copy while Redis is away. Redis's
 * counter only orders the messages (a gap means one was missed); what readers serve is revised
 * by content (LocalView).
 */

const PUT = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current == ARGV[2] then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local revision = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[3], '{"revision":' .. revision .. ',"key":' .. cjson.encode(ARGV[1]) .. ',"endpoints":' .. ARGV[2] .. '}')
return revision`;

const REMOVE = `
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return -1 end
local revision = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[2], '{"revision":' .. revision .. ',"key":' .. cjson.encode(ARGV[1]) .. ',"endpoints":null}')
return revision`;

// A floor keeps the change sequence increasing when Redis comes back empty (no persistence): readers ignore a number they have passed.
const REPLACE_ALL = `
redis.call('DEL', KEYS[1])
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local revision = tonumber(redis.call('GET', KEYS[2]) or '0')
local floor = tonumber(ARGV[1])
if revision < floor then revision = floor end
revision = revision + 1
redis.call('SET', KEYS[2], revision)
redis.call('PUBLISH', ARGV[2], '{"revision":' .. revision .. ',"resync":true}')
return revision`;

const RETRY_MS = 500;

export interface RedisStoreOptions {
  readonly url: string;
  /** Key prefix, so several hubs can share one Redis. */
  readonly prefix?: string;
  readonly logger?: Logger;
  /** Called after Redis came back: the writer republishes everything (Redis may have lost it). */
  readonly onReconnect?: () => void;
  /** Where invalid entries are counted; absent: a registry of its own. */
  readonly metrics?: KitMetrics;
}

export class RedisEndpointStore implements EndpointStore {
  readonly #view = new LocalView();
  readonly #commands: Redis;
  readonly #subscriber: Redis;
  readonly #keys: { hash: string; revision: string; channel: string };
  readonly #logger: Logger;
  readonly #options: RedisStoreOptions;
  #downSince: Date | undefined;
  /** Redis came back without our keys (restarted without persistence): waiting for the writer. */
  #emptied = false;
  #loading: Promise<void> | undefined;
  /** The highest sequence a change message carried during the current load: past what it read means load again. */
  #seen = -1;
  /** A snapshot the writer published has been loaded: until then there is nothing to serve. */
  #loaded = false;
  /** The last load found no revision: the writer has not published (Redis new or emptied). */
  #unpublished = false;
  #stopped = false;
  /** Entries of the last load that failed validation and are not served. */
  #skipped: string[] = [];
  /** The same, as they may be shown: a key that is not `namespace/name` is not repeated. */
  #skippedNames: string[] = [];
  readonly #entryMetrics: StoreEntryMetrics;

  constructor(options: RedisStoreOptions) {
    this.#options = options;
    this.#entryMetrics = new StoreEntryMetrics(options.metrics ?? new KitMetrics());
    const prefix = options.prefix ?? 'promfleet:';
    this.#keys = { hash: `${prefix}endpoints`, revision: `${prefix}endpoints:revision`, channel: `${prefix}endpoints:changes` };
    this.#logger = (options.logger ?? silentLogger).child({ component: 'redis-store' });
    const common = {
      lazyConnect: true,
      // Fail fast while Redis is away: reconciling goes on, the writer republishes on return.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt: number) => Math.min(200 * attempt, 2_000),
    };
    this.#commands = new Redis(options.url, { ...common, connectionName: 'promfleet-endpoints' });
    this.#subscriber = new Redis(options.url, { ...common, enableOfflineQueue: true, connectionName: 'promfleet-endpoints-watch' });
    for (const connection of [this.#commands, this.#subscriber]) {
      connection.on('error', (error: Error) => {
        this.#logger.debug({ err: error.message }, 'redis connection error');
      });
      connection.on('close', () => {
        this.#downSince ??= new Date();
      });
    }
    this.#subscriber.on('message', (_channel: string, text: string) => {
      this.#receive(text);
    });
    let connectedBefore = false;
    this.#commands.on('ready', () => {
      if (connectedBefore) {
        this.#logger.info('redis is back; reloading and republishing');
        this.#options.onReconnect?.();
        void this.#reload();
      }
      connectedBefore = true;
    });
    this.#subscriber.on('ready', () => {
      void this.#follow();
    });
  }

  /** Connects; rejects when Redis is away, and goes on connecting (readers wait, not ready, until it is back). */
  async start(): Promise<void> {
    await Promise.all([this.#commands.connect(), this.#subscriber.connect()]);
    await this.#follow();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#subscriber.disconnect();
    this.#commands.disconnect();
    await Promise.resolve();
  }

  async put(set: EndpointSet): Promise<void> {
    await this.#commands.eval(PUT, 2, this.#keys.hash, this.#keys.revision, setKey(set.namespace, set.name), canonicalJSON(set.endpoints), this.#keys.channel);
  }

  async remove(namespace: string, name: string): Promise<void> {
    await this.#commands.eval(REMOVE, 2, this.#keys.hash, this.#keys.revision, setKey(namespace, name), this.#keys.channel);
  }

  async replaceAll(sets: readonly EndpointSet[]): Promise<void> {
    const pairs = sets.flatMap((set) => [setKey(set.namespace, set.name), canonicalJSON(set.endpoints)]);
    await this.#commands.eval(REPLACE_ALL, 2, this.#keys.hash, this.#keys.revision, String(this.#view.seq), this.#keys.channel, ...pairs);
  }

  snapshot(): EndpointSnapshot {
    return this.#view.snapshot();
  }

  get(namespace: string, name: string): EndpointSet | undefined {
    return this.#view.get(namespace, name);
  }

  changesSince(revision: string): EndpointChange[] | undefined {
    return this.#view.changesSince(revision);
  }

  subscribe(listener: Parameters<LocalView['subscribe']>[0]): () => void {
    return this.#view.subscribe(listener);
  }

  waiting(): string | undefined {
    if (this.#loaded) return undefined;
    const why = this.#downSince
      ? ` (unreachable since ${this.#downSince.toISOString()})`
      : this.#unpublished
        ? ' (the hub has published nothing there yet)'
        : '';
    return `no endpoint records loaded from Redis yet${why}: not serving an empty list in their place`;
  }

  degraded(): string | undefined {
    if (this.#skipped.length > 0) {
      const what = this.#skipped.length === 1 ? '1 invalid endpoint entry' : `${String(this.#skipped.length)} invalid endpoint entries`;
      return `Redis holds ${what}, not served (${this.#skippedNames.slice(0, 5).join(', ')}${this.#skipped.length > 5 ? ', …' : ''}); the others are`;
    }
    if (this.#emptied) return `Redis came back empty: serving the last snapshot (revision ${this.#view.revision}) until the hub republishes`;
    if (this.#downSince === undefined && this.#commands.status === 'ready' && this.#subscriber.status === 'ready') return undefined;
    const since = this.#downSince ? ` since ${this.#downSince.toISOString()}` : '';
    return `Redis unreachable${since}: serving the last snapshot (revision ${this.#view.revision})`;
  }

  #receive(text: string): void {
    const message = readMessage(text);
    if (!message) {
      // A change nobody can read: the hash holds the truth, checked entry by entry.
      this.#entryMetrics.rejected('message');
      void this.#reload();
      return;
    }
    this.#seen = Math.max(this.#seen, message.revision);
    const expected = this.#view.seq + 1;
    if ('resync' in message || message.revision > expected) {
      void this.#reload();
      return;
    }
    if (message.revision < expected) return;
    this.#view.apply({ seq: message.revision, namespace: message.namespace, name: message.name, endpoints: message.endpoints });
    // The change that follows what was loaded (or the first write ever, onto nothing) leaves the whole content known.
    this.#loaded = true;
    // A valid write replaced an entry that was skipped.
    if (this.#skipped.includes(message.key)) this.#noteSkipped(this.#skipped.filter((key) => key !== message.key));
  }

  #noteSkipped(unsorted: readonly string[]): void {
    const keys = [...unsorted].sort();
    const fresh = keys.filter((key) => !this.#skipped.includes(key));
    this.#entryMetrics.rejected('entry', fresh.length);
    const named = keys.map((key) => (/^[a-z0-9][-a-z0-9]{0,62}\/[a-z0-9][-a-z0-9]{0,62}$/.test(key) ? key : 'a key that is not namespace/name'));
    if (fresh.length > 0) this.#logger.warn({ skipped: named }, 'skipped invalid endpoint entries in redis; serving the others');
    this.#skipped = [...keys];
    this.#skippedNames = named;
    this.#entryMetrics.skipped(keys.length);
  }

  /**
   * Subscribes (again: a subscriber that never reached Redis at start has no subscription for
   * ioredis to renew, and a second SUBSCRIBE to a channel is harmless), then loads everything:
   * no change falls between the two.
   */
  async #follow(): Promise<void> {
    try {
      await this.#subscriber.subscribe(this.#keys.channel);
    } catch (error) {
      this.#logger.debug({ err: errorMessage(error) }, 'could not subscribe to endpoint changes; retrying on reconnect');
      return;
    }
    await this.#reload();
  }

  /**
   * Loads the whole hash and revision at one point in time, and starts over from them. A change
   * published while the load was in flight may be newer than what it read (and was not applied,
   * or was and is undone by the load): then it loads again.
   */
  #reload(): Promise<void> {
    this.#loading ??= (async () => {
      this.#seen = -1;
      let read: number | undefined;
      try {
        read = await this.#load();
      } catch (error) {
        // The two connections come back independently (or the revision is garbage): try again until both serve.
        if (!this.#stopped) {
          this.#logger.debug({ err: errorMessage(error) }, 'could not load endpoints from redis; retrying');
          setTimeout(() => void this.#reload(), RETRY_MS).unref();
        }
      } finally {
        this.#loading = undefined;
      }
      if (read !== undefined && this.#seen > read && !this.#stopped) await this.#reload();
    })();
    return this.#loading;
  }

  /** One load; returns the revision read (-1: none, the writer has not published). */
  async #load(): Promise<number> {
    const result = await this.#commands.multi().hgetall(this.#keys.hash).get(this.#keys.revision).exec();
    const all = (result?.[0]?.[1] ?? {}) as Record<string, string>;
    const stored = result?.[1]?.[1] as string | null | undefined;
    if (this.#commands.status === 'ready' && this.#subscriber.status === 'ready') this.#downSince = undefined;
    // No revision at all: the writer has not published (Redis is new, or lost everything).
    // Serving that as "no records" would drop every record until the writer republishes, so
    // keep the copy we have, or wait for one.
    this.#unpublished = stored === null || stored === undefined;
    if (this.#unpublished) {
      this.#emptied = this.#loaded;
      if (this.#emptied) this.#logger.warn({ revision: this.#view.revision }, 'redis came back empty; serving the last snapshot until the hub republishes');
      return -1;
    }
    this.#emptied = false;
    const revision = Number(stored);
    if (!Number.isSafeInteger(revision) || revision < 0) throw new Error('the revision in Redis is not a non-negative integer');
    // Each entry on its own: one that is not what the hub writes is skipped and counted, the others served.
    const entries = Object.entries(all).map(([key, json]) => ({ key, set: readEntry(key, json) }));
    this.#noteSkipped(entries.filter((entry) => entry.set === undefined).map((entry) => entry.key));
    const items = entries
      .flatMap((entry) => (entry.set ? [entry.set] : []))
      .sort((a, b) => setKey(a.namespace, a.name).localeCompare(setKey(b.namespace, b.name)));
    // Watchers start over only when the content differs.
    this.#view.reset(revision, items);
    this.#loaded = true;
    return revision;
  }
}
