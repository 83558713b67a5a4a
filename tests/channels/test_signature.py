"""X-Hub-Signature-256: HMAC-SHA256 of the exact body bytes, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from channels.signature import sign, verify, well_formed

BODY = '{"object":"page","entry":[{"id":"1","text":"¿Sí? \\u00f1 😀"}]}'.encode()


def test_a_signature_made_with_the_secret_verifies() -> None:
    header = "sha256=" + hmac.new(b"s3cret", BODY, hashlib.sha256).hexdigest()
    assert sign(BODY, "s3cret") == header
    assert verify(BODY, header, "s3cret")
    assert verify(BODY, header.upper().replace("SHA256=", "sha256="), "s3cret")


@pytest.mark.parametrize("header", [None, "", "sha256=", "sha256=xyz", "sha1=" + "0" * 40,
                                    "sha256=" + "0" * 64, "sha256=" + "0" * 63])
def test_missing_or_garbled_headers_fail(header: str | None) -> None:
    assert not verify(BODY, header, "s3cret")


def test_wrong_secret_empty_secret_or_changed_bytes_fail() -> None:
    header = sign(BODY, "s3cret")
    assert not verify(BODY, header, "other")
    assert not verify(BODY, header, "")
    assert not verify(BODY + b" ", header, "s3cret")
    reserialized = json.dumps(json.loads(BODY), ensure_ascii=False).encode()
    assert not verify(reserialized, header, "s3cret")


def test_well_formed() -> None:
    assert well_formed(sign(b"x", "k")) and not well_formed(None) and not well_formed("sha256=1")
