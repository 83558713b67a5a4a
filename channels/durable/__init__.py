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
  its reply is not run again, a reply part Meta accepted is not sent again, even when the
  worker died before recording it: Meta's receipts (status/echo webhooks carrying our
  reference) say which parts it has (channels.processing.process_batch,
  AgentRuntime.handle_batch, channels.outbound.deliver_once, channels.receipts).
- A retried turn is counted once against the rate limits; a dead letter gives up its own
  item only (the rest of its webhook event is still redriven); consumer names of dead
  workers are pruned once idle and settled.
- Failures retry with backoff (attempts counted in Redis, so a crash loop counts too);
  after `queue_max_attempts` the entries go to `{p}:dlq` and the conversation is flagged.
- The DB stays the source of truth for Meta events: an event whose enqueue failed, or that
  Redis lost, is re-enqueued by a worker's periodic redrive.
"""
