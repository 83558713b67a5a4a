"""Secrets at rest: Fernet round trip, key rotation, keyed lookup hashes."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from crm.crypto import SecretBox, box_for
from crm.errors import SecretUnavailable
from crm.models import ChannelConnection, ChannelKind
from crm.services.connections import rotate_secrets, secrets_of, verify_token_known
from crm.settings import Settings
from tests.factories import make_tenant


def test_round_trip_and_ciphertexts_do_not_contain_the_secret() -> None:
    box = SecretBox("primary-key")
    token = box.encrypt("EAAG-secret-ñ")
    assert "EAAG" not in token and box.decrypt(token) == "EAAG-secret-ñ"
    assert box.encrypt("x") != box.encrypt("x")  # random IV


def test_a_previous_key_decrypts_and_rotate_moves_to_the_primary() -> None:
    old = SecretBox("old-key")
    token = old.encrypt("s3cret")
    new = SecretBox("new-key", ["old-key"])
    assert new.decrypt(token) == "s3cret"
    rotated = new.rotate(token)
    assert SecretBox("new-key").decrypt(rotated) == "s3cret"
    with pytest.raises(SecretUnavailable) as info:
        SecretBox("new-key").decrypt(token)
    assert "MOSTRADOR_SECRET_KEYS_PREVIOUS" in str(info.value) and "s3cret" not in str(info.value)


def test_lookup_hashes_are_keyed_and_cover_previous_keys() -> None:
    old, new = SecretBox("old-key"), SecretBox("new-key", ["old-key"])
    assert old.lookup_hash("verify") != SecretBox("other").lookup_hash("verify")
    assert old.lookup_hash("verify") in new.lookup_hashes("verify")


def test_rotate_secrets_re_encrypts_every_connection(db: Session) -> None:
    tenant = make_tenant(db)
    old = Settings(env="test", secret_key="old-key-123")
    from crm.services.connections import create_connection

    create_connection(db, box=box_for(old), tenant=tenant, kind=ChannelKind.whatsapp,
                      account_id="123", access_token="tok", verify_token="ver",
                      app_secret="app")
    db.commit()
    new = Settings(env="test", secret_key="new-key-456", secret_keys_previous="old-key-123")
    assert verify_token_known(db, box=box_for(new), token="ver")  # before the rotation too
    assert rotate_secrets(db, box=box_for(new)) == 1
    db.commit()
    row = db.exec(select(ChannelConnection)).one()
    only_new = box_for(Settings(env="test", secret_key="new-key-456"))
    secrets = secrets_of(row, box=only_new)
    assert (secrets.access_token, secrets.app_secret) == ("tok", "app")
    assert verify_token_known(db, box=only_new, token="ver")
    assert "tok" not in repr(secrets)
