"""Erasing one person's state from the durable queue's Redis (a data-subject erasure).

What the queue keeps that can be a person's (keys of channels.durable.streams, ratelimit and
recovery, under the prefix `p`):

    {p}:in:{shard}            stream entries: web chat ones carry the session id and the text;
                              Meta ones the thread key (channel:account:sender, the sender a
                              wa_id or a PSID) and the webhook event id and item index
    {p}:dlq                   dead letters: the same fields, plus shard, entry, error, attempts
    {p}:attempts              hash: entry id → attempts
    {p}:rl:e:{shard}:{entry}  the rate-limit decision of one entry
    {p}:rl:c:{hash}:{window}  turns of one end user in a window (hash of slug:contact key)
    {p}:reply:{request}       a web chat reply waiting for its POST (the reply text)
    {p}:redriven:{event}      the redrive marker of a webhook event

Leases, locks and the per-business rate-limit counters name no person.

XDEL only flags a stream entry as deleted: its fields stay in the stream's memory (and in
DUMP, RDB snapshots and AOF rewrites) until every entry of its node is gone. So a stream
that held the person's entries is rebuilt without them, atomically (one Lua script): the
other entries keep their ids, the consumer groups their last-delivered id and read counter,
and pending entries their consumer, idle time and delivery count, so workers go on as if
the entries had been acknowledged. With AOF on, an AOF rewrite is then requested, so the
file no longer replays the original XADDs.

An entry a worker already holds in memory is still processed (and its turn may store it
again): an erasure therefore holds the person's shards first (channels.durable.hold), so
that turn ends before the purge and no other starts until the erasure is done.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import redis

from channels.durable.errors import QueueUnavailable
from channels.durable.streams import Queue

log = logging.getLogger("mostrador.channels.durable.purge")

_PAGE = 1000

# KEYS[1] a stream; ARGV the ids of the entries to remove. Returns how many were removed.
_REBUILD = """
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then return 0 end
local drop = {}
for i = 1, #ARGV do drop[ARGV[i]] = true end
local kept, removed, maxdrop = {}, 0, '0-0'
local function newer(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  if #am ~= #bm then return #am > #bm end
  if am ~= bm then return am > bm end
  return tonumber(as) > tonumber(bs)
end
for _, e in ipairs(redis.call('XRANGE', key, '-', '+')) do
  if drop[e[1]] then
    removed = removed + 1
    if newer(e[1], maxdrop) then maxdrop = e[1] end
  else
    kept[#kept + 1] = e
  end
end
if removed == 0 then return 0 end
local function map(flat)
  local m = {}
  for i = 1, #flat, 2 do m[flat[i]] = flat[i + 1] end
  return m
end
local info = map(redis.call('XINFO', 'STREAM', key))
local groups = {}
for _, raw in ipairs(redis.call('XINFO', 'GROUPS', key)) do
  local g = map(raw)
  g.claims = {}
  if tonumber(g['pending']) > 0 then
    for _, p in ipairs(redis.call('XPENDING', key, g['name'], '-', '+', g['pending'])) do
      if not drop[p[1]] then g.claims[#g.claims + 1] = p end
    end
  end
  groups[#groups + 1] = g
end
redis.call('DEL', key)
for _, e in ipairs(kept) do redis.call('XADD', key, e[1], unpack(e[2])) end
for _, g in ipairs(groups) do
  local done = false
  if g['entries-read'] then
    local r = redis.pcall('XGROUP', 'CREATE', key, g['name'], g['last-delivered-id'],
                          'MKSTREAM', 'ENTRIESREAD', g['entries-read'])
    done = type(r) ~= 'table' or not r['err']
  end
  if not done then
    redis.call('XGROUP', 'CREATE', key, g['name'], g['last-delivered-id'], 'MKSTREAM')
  end
  for _, p in ipairs(g.claims) do
    redis.call('XCLAIM', key, g['name'], p[2], 0, p[1], 'IDLE', p[3], 'RETRYCOUNT', p[4],
               'FORCE', 'JUSTID')
  end
end
if redis.call('EXISTS', key) == 1 then
  local maxdel = info['max-deleted-entry-id']
  if not maxdel or newer(maxdrop, maxdel) then maxdel = maxdrop end
  local r = redis.pcall('XSETID', key, info['last-generated-id'], 'ENTRIESADDED',
                        info['entries-added'], 'MAXDELETEDID', maxdel)
  if type(r) == 'table' and r['err'] then
    redis.pcall('XSETID', key, info['last-generated-id'])
  end
end
return removed
"""


@dataclass(frozen=True)
class QueueSubject:
    """What identifies one person's state in the queue, within one business."""

    tenant_slug: str
    web_sessions: frozenset[str] = frozenset()
    # Meta thread keys "{channel}:{account}:{sender}" of the person on the business's accounts.
    thread_keys: frozenset[str] = frozenset()
    # Webhook events erased whole, and (event, index) items of the person in kept events.
    events: frozenset[int] = frozenset()
    items: frozenset[tuple[int, int]] = frozenset()
    conversations: frozenset[str] = frozenset()

    def matches(self, fields: dict[str, str]) -> bool:
        """Whether a stream entry (or a dead letter) is this person's."""
        kind = fields.get("kind")
        if kind == "chat":
            return (fields.get("slug") == self.tenant_slug
                    and fields.get("session") in self.web_sessions)
        if kind != "meta":
            return False
        if fields.get("key") in self.thread_keys:
            return True
        try:
            event, index = int(fields.get("event", "")), int(fields.get("index", ""))
        except ValueError:
            return False
        return event in self.events or (event, index) in self.items

    @property
    def contact_keys(self) -> list[str]:
        """The contact keys the rate limiter counts this person's turns under (consumer:
        "web:{session}" for the web chat, the thread key for Meta)."""
        return [f"web:{s}" for s in sorted(self.web_sessions)] + sorted(self.thread_keys)


@dataclass
class PurgeReport:
    entries: int = 0        # stream entries removed (shards and dead letters)
    keys: int = 0           # keys deleted
    fields: int = 0         # hash fields deleted (attempts)
    aof_rewrite: bool = False
    # (event, index) of the Meta items whose entries were removed: they will not be processed
    items: set[tuple[int, int]] = field(default_factory=set, repr=False)

    @property
    def total(self) -> int:
        return self.entries + self.keys + self.fields


def rate_limit_hash(tenant_slug: str, contact_key: str) -> str:
    """The hashed contact part of a rate-limit key (channels.durable.ratelimit)."""
    return hashlib.sha256(f"{tenant_slug}:{contact_key}".encode()).hexdigest()[:20]


def purge_subject(queue: Queue, subject: QueueSubject, *, rewrite_aof: bool = True
                  ) -> PurgeReport:
    """Remove the person's entries, dead letters and keys; raises QueueUnavailable."""
    try:
        return _purge(queue, subject, rewrite_aof=rewrite_aof)
    except redis.RedisError as exc:
        raise QueueUnavailable(type(exc).__name__) from exc


def _purge(queue: Queue, subject: QueueSubject, *, rewrite_aof: bool) -> PurgeReport:
    client = queue.client
    report = PurgeReport()
    rebuild = client.register_script(_REBUILD)
    requests: set[str] = set()
    entry_ids: set[str] = set()
    marks: list[str] = []
    for shard in range(queue.shards):
        stream = queue.stream(shard)
        found = [(i, f) for i, f in _scan_stream(client, stream) if subject.matches(f)]
        if found:
            report.entries += int(rebuild(keys=[stream], args=[i for i, _ in found]))
        for entry_id, fields in found:
            entry_ids.add(entry_id)
            _note_item(report, fields)
            marks.append(f"{queue.prefix}:rl:e:{shard}:{entry_id}")
            if fields.get("request"):
                requests.add(fields["request"])
    dead = [(i, f) for i, f in _scan_stream(client, queue.dlq) if subject.matches(f)]
    if dead:
        report.entries += int(rebuild(keys=[queue.dlq], args=[i for i, _ in dead]))
    for _, fields in dead:
        _note_item(report, fields)
        if fields.get("entry"):
            entry_ids.add(fields["entry"])
            marks.append(f"{queue.prefix}:rl:e:{fields.get('shard', '')}:{fields['entry']}")
        if fields.get("request"):
            requests.add(fields["request"])
    if entry_ids:
        report.fields += int(client.hdel(queue.attempts_key, *sorted(entry_ids)))  # type: ignore[arg-type]
    doomed = set(marks) | {queue.reply_key(r) for r in requests}
    doomed |= {f"{queue.prefix}:redriven:{e}" for e in subject.events}
    doomed |= set(_replies_of(queue, subject.conversations))
    for contact_key in subject.contact_keys:
        pattern = f"{queue.prefix}:rl:c:{rate_limit_hash(subject.tenant_slug, contact_key)}:*"
        doomed |= {str(k) for k in client.scan_iter(pattern, count=1000)}
    report.keys += _delete(client, doomed)
    if rewrite_aof and report.total:
        report.aof_rewrite = _rewrite_aof(client)
    log.info("queue purge entries=%d keys=%d fields=%d aof_rewrite=%s", report.entries,
             report.keys, report.fields, report.aof_rewrite)
    return report


def _note_item(report: PurgeReport, fields: dict[str, str]) -> None:
    if fields.get("kind") == "meta":
        try:
            report.items.add((int(fields["event"]), int(fields["index"])))
        except (KeyError, ValueError):
            pass


def _scan_stream(client: redis.Redis, stream: str) -> Iterable[tuple[str, dict[str, str]]]:
    start = "-"
    while True:
        rows: Any = client.xrange(stream, min=start, count=_PAGE)
        for entry_id, fields in rows:
            yield str(entry_id), dict(fields)
        if len(rows) < _PAGE:
            return
        start = "(" + str(rows[-1][0])


def _replies_of(queue: Queue, conversations: frozenset[str]) -> list[str]:
    """Reply keys whose payload is a reply in one of the conversations."""
    if not conversations:
        return []
    found = []
    for key in queue.client.scan_iter(queue.reply_key("*"), count=1000):
        values: Any = queue.client.lrange(key, 0, -1)
        for value in values or []:
            try:
                payload = json.loads(value)
            except ValueError:
                continue
            if isinstance(payload, dict) and payload.get("conversation_id") in conversations:
                found.append(str(key))
                break
    return found


def _delete(client: redis.Redis, keys: set[str]) -> int:
    deleted = 0
    ordered = sorted(keys)
    for i in range(0, len(ordered), 500):
        deleted += int(client.delete(*ordered[i:i + 500]))  # type: ignore[arg-type]
    return deleted


def _rewrite_aof(client: redis.Redis) -> bool:
    """Ask Redis to rewrite its AOF (when it keeps one), so it forgets the removed writes."""
    try:
        info: Any = client.info("persistence")
        if not int(info.get("aof_enabled", 0)):
            return False
        client.bgrewriteaof()
        return True
    except redis.ResponseError as exc:  # one already running, or the command is disabled
        log.warning("aof rewrite not started error=%s", type(exc).__name__)
        return False
