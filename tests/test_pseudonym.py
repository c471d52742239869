"""The person key is a real HMAC-SHA256 under a key kept apart from the data, stable run after run."""

from __future__ import annotations

import hashlib
import hmac
import stat

import duckdb
import pytest

from jobbtorg_pipeline.pseudonym import PseudonymKeyError, load_key, register_person_key_macro
from jobbtorg_pipeline.settings import ENV_PSEUDONYM_KEY, Settings


def _settings(tmp_path, **kw) -> Settings:
    return Settings(source_dir=tmp_path / "s", warehouse_dir=tmp_path / "w", home_dir=tmp_path / "h", **kw)


def _expected(key: bytes, pnr: str) -> int:
    return int(hmac.new(key, pnr.encode(), hashlib.sha256).hexdigest()[:32], 16)


@pytest.mark.parametrize("key", [b"k" * 32, b"short-key-16byte", bytes(range(100))])
def test_sql_person_key_is_hmac_sha256(key):
    con = duckdb.connect()
    register_person_key_macro(con, key)
    numbers = ["198001011238", "191212121212", "198001611238"]
    got = [con.execute("SELECT person_key(?)", [n]).fetchone()[0] for n in numbers]
    assert got == [_expected(key, n) for n in numbers]
    assert len(set(got)) == 3


def test_key_is_created_once_with_owner_only_permissions(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_PSEUDONYM_KEY, raising=False)
    settings = _settings(tmp_path)
    first = load_key(settings)
    assert len(first) == 32
    assert stat.S_IMODE(settings.key_file.stat().st_mode) == 0o600
    assert load_key(settings) == first  # the same person gets the same key run after run


def test_key_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_PSEUDONYM_KEY, "ab" * 32)
    assert load_key(_settings(tmp_path)) == bytes.fromhex("ab" * 32)
    assert not _settings(tmp_path).key_file.exists()


def test_key_file_inside_the_warehouse_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_PSEUDONYM_KEY, raising=False)
    settings = _settings(tmp_path, pseudonym_key_file=tmp_path / "w" / "pseudonym.key")
    with pytest.raises(PseudonymKeyError, match="inside the warehouse"):
        load_key(settings)


@pytest.mark.parametrize("text", ["not hex", "abcd"])
def test_bad_keys_are_refused_clearly(tmp_path, monkeypatch, text):
    monkeypatch.setenv(ENV_PSEUDONYM_KEY, text)
    with pytest.raises(PseudonymKeyError):
        load_key(_settings(tmp_path))
