"""Durable processing on Redis Streams: API processes enqueue, `mostrador worker`s process.

    webhook ──► DB (WebhookEvent + InboundKey, the source of truth) ──► XADD {p}:in:{shard}
    web chat ─────────────────────────────────────────────────────────► XADD {p}:in:{shard}
    worker threads ── lease a shard (SET NX PX, renewed) ── XAUTOCLAIM its pending entries,
                      XREADGROUP new ones ── debounce per conversation ── one turn ── XACK

- Ordering: shard = crc32(thread key) % shards, so one conversation always lands on one
  stream; a shard is processed by one thread at a time (the lease), entries in stream order.
  Different shards (and different conversations of one shard, between their turns) run in
  parallel across every worker process.
- Crash recovery: a killed worker stops renewing its leases; after the visibility timeout
  another worker takes the lease and XAUTOCLAIMs the shard's pending entries first.
- Effects happen once: items already done in the DB are skipped, a turn that already has
  its reply is not run again, a reply already accepted by Meta is not sent again (see
  channels.processing.process_batch and AgentRuntime.handle_batch).
- Failures retry with backoff (attempts counted in Redis, so a crash loop counts too);
  after `queue_max_attempts` the entries go to `{p}:dlq` and the conversation is flagged.
- The DB stays the source of truth for Meta events: an event whose enqueue failed, or that
  Redis lost, is re-enqueued by a worker's periodic redrive.
"""
