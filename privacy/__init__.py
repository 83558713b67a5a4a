"""Data-subject rights and retention: what lets each business keep its privacy promises.

Above the CRM (``crm``), the corpus (``training_data``) and the durable queue's Redis keys
(``channels.durable``), below ``api`` (nothing else imports it):

- ``requests``: data-subject requests — create, run (access, portability, rectify, erase,
  restrict, object, withdraw-consent), run the due ones;
- ``locate``: find the contacts a request names (phone, email or contact id);
- ``bundle``: the access/portability bundle (JSON and CSV) in a documented schema;
- ``erasure``: hard-delete a person everywhere (database rows, raw webhooks, Redis keys,
  corpus records) and leave tombstones;
- ``raw_events``: the person's raw webhook bodies, inbound ledger rows and Lead Ads
  answers (deleted, or rewritten where a batch also holds other people);
- ``tombstones``: the erasure ledger, and re-erasing after a backup restore;
- ``retention``: the scheduled job that deletes or anonymizes what has expired.
"""

from privacy.context import PrivacyContext

__all__ = ["PrivacyContext"]
