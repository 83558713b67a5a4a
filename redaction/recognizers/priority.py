"""Priority tiers for overlap resolution: which recognizer wins when two spans collide.

A number validated by its check digit is surer than one labelled by a cue word, which is
surer than one matched by its shape alone; names and addresses, found in free text, come
last. Each recognizer class states its tier as ``PRIORITY`` and the countries it is for as
``COUNTRIES`` (empty: every country).
"""

from __future__ import annotations

CHECKSUM = 40
CUE = 30
SHAPE = 20
FREE_TEXT = 10
