"""The model cache (load.py, cache.py): a cached load equals a fresh one, and only ever serves
the exact bytes it was stored for."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import ruamel.yaml

from pipelinegen.core import cache, load
from pipelinegen.core.errors import InputError
from pipelinegen.core.model import Model

PROJECT = Path(__file__).resolve().parent.parent
EXAMPLE = PROJECT / "services.yaml"


@pytest.fixture
def store(tmp_path: Path) -> cache.Cache:
    return cache.Cache(tmp_path / cache.DIRECTORY, writable=True)


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The texts the fast reader parsed, whole or by their changed entries (not taken from
    the cache)."""
    seen: list[bytes] = []
    whole, by_entries = load._whole_data, load._entries_data

    def counted(raw: bytes, **options: bool) -> object:
        seen.append(raw)
        return whole(raw, **options)

    def counted_entries(raw: bytes, known: load.Entries) -> object:
        read = by_entries(raw, known)
        if read is not None:
            seen.append(raw)
        return read

    monkeypatch.setattr(load, "_whole_data", counted)
    monkeypatch.setattr(load, "_entries_data", counted_entries)
    return seen


def _same(a: Model, b: Model) -> None:
    # Equality of models compares 1 == 1.0; the JSON and the repr keep every type.
    assert a == b
    assert a.model_dump_json() == b.model_dump_json()
    assert repr(a) == repr(b)


def _entries(store: cache.Cache) -> list[str]:
    return sorted(p.name for p in store.directory.glob("model-data-*"))


def test_a_cached_load_equals_a_fresh_one(store: cache.Cache, parses: list[bytes]) -> None:
    raw = EXAMPLE.read_bytes()
    fresh = load.loads(raw, "services.yaml")
    first = load.loads(raw, "services.yaml", store)
    assert _entries(store) == []  # nothing is stored before commit
    store.commit()
    assert len(_entries(store)) == 1
    cached = load.loads(raw, "services.yaml", store)
    assert len(parses) == 2  # the fresh load and the first one; the third came from the cache
    _same(cached, fresh)
    _same(first, fresh)


def test_any_change_of_the_bytes_misses(store: cache.Cache, parses: list[bytes]) -> None:
    raw = EXAMPLE.read_bytes()
    load.loads(raw, "services.yaml", store)
    store.commit()
    spaced = raw.replace(b"version: 1", b"version:  1")
    for changed in (raw + b"\n", raw + b"# a comment\n", spaced):
        parses.clear()
        model = load.loads(changed, "services.yaml", store)
        assert parses == [changed]
        _same(model, load.loads(changed, "services.yaml"))


@pytest.mark.parametrize("change", ["code", "yaml library"])
def test_other_code_misses(store: cache.Cache, parses: list[bytes],
                           monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    raw = EXAMPLE.read_bytes()
    load.loads(raw, "services.yaml", store)
    store.commit()
    if change == "code":  # pipelinegen's files edited (an editable install keeps its version)
        monkeypatch.setattr(cache, "code_digest", lambda: "edited")
    else:
        monkeypatch.setattr(ruamel.yaml, "__version__", "0.0.0-other")
    parses.clear()
    _same(load.loads(raw, "services.yaml", store), load.loads(raw, "services.yaml"))
    assert parses[0] == raw


def test_the_code_digest_follows_every_file_of_the_package(tmp_path: Path) -> None:
    package = tmp_path / "pipelinegen"
    shutil.copytree(Path(load.__file__).parents[1], package,
                    ignore=shutil.ignore_patterns("__pycache__"))

    def digest() -> str:
        return subprocess.run(
            [sys.executable, "-c", "from pipelinegen.core import cache;"
             " print(cache.code_digest())"], env={**os.environ, "PYTHONPATH": str(tmp_path)},
            cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()

    before = digest()
    assert before == cache.code_digest()  # a copy of the same files: the same digest
    template = package / "data/pipelinegen-httpd.go"
    template.write_bytes(template.read_bytes() + b"// edited\n")
    assert digest() != before


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip", "not-json", "empty"])
def test_a_damaged_entry_is_a_silent_miss(store: cache.Cache, parses: list[bytes],
                                          damage: str) -> None:
    raw = EXAMPLE.read_bytes()
    load.loads(raw, "services.yaml", store)
    store.commit()
    [name] = _entries(store)
    entry = store.directory / name
    stored = entry.read_bytes()
    digest, _, content = stored.partition(b"\n")
    renamed = content.replace(b'"name": "', b'"name": "x', 1)  # still a valid model
    assert renamed != content
    entry.write_bytes({
        "truncate": stored[: len(stored) // 2],
        "garbage": os.urandom(64),
        # Still valid JSON, one value changed: the entry's own digest no longer matches.
        "flip": digest + b"\n" + renamed,
        "not-json": b"%s\n%s" % (digest, b"{"),
        "empty": b"",
    }[damage])
    parses.clear()
    model = load.loads(raw, "services.yaml", store)
    assert parses == [raw]
    _same(model, load.loads(raw, "services.yaml"))


def test_a_stored_entry_that_fails_validation_is_read_again(store: cache.Cache,
                                                            parses: list[bytes]) -> None:
    raw = EXAMPLE.read_bytes()
    key = load._cache_key(raw)
    assert key is not None
    store.write(load._CACHE_KIND, key, b'{"version": 1}')  # well formed, not a model
    store.commit()
    parses.clear()
    _same(load.loads(raw, "services.yaml", store), load.loads(raw, "services.yaml"))
    assert parses[0] == raw


def test_bad_input_is_never_cached(store: cache.Cache) -> None:
    bad = EXAMPLE.read_bytes().replace(b"version: 1", b"version: 1\nunknown_key: 1", 1)
    with pytest.raises(InputError):
        load.loads(bad, "services.yaml", store)
    store.commit()
    assert _entries(store) == []


def test_a_read_only_cache_stores_nothing(tmp_path: Path) -> None:
    reader = cache.Cache(tmp_path / cache.DIRECTORY, writable=False)
    load.loads(EXAMPLE.read_bytes(), "services.yaml", reader)
    reader.commit()
    assert not reader.directory.exists()


def test_entries_are_pruned_to_the_newest(store: cache.Cache) -> None:
    raw = EXAMPLE.read_bytes()
    for n in range(cache.KEPT + 3):
        load.loads(raw + b"\n" * n, "services.yaml", store)
        store.commit()
    assert len(_entries(store)) == cache.KEPT


def test_a_linked_cache_directory_is_never_used(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / cache.DIRECTORY).symlink_to(elsewhere)
    linked = cache.Cache(tmp_path / "repo" / cache.DIRECTORY, writable=True)
    load.loads(EXAMPLE.read_bytes(), "services.yaml", linked)
    linked.commit()
    assert list(elsewhere.iterdir()) == []


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipelinegen", *args], cwd=cwd, text=True,
                          capture_output=True, check=False, env={**os.environ, **(env or {})})


def test_generate_stores_check_only_reads(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path / "services.yaml")
    for folder in ("services", "packages"):
        shutil.copytree(PROJECT / folder, tmp_path / folder)
    assert _run("check", cwd=tmp_path).returncode == 1
    assert not (tmp_path / cache.DIRECTORY).exists()  # check writes nothing
    assert _run("generate", cwd=tmp_path, env={cache.DISABLE: "1"}).returncode == 0
    assert not (tmp_path / cache.DIRECTORY).exists()
    assert _run("generate", cwd=tmp_path).returncode == 0
    folder = tmp_path / cache.DIRECTORY
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (folder / "CACHEDIR.TAG").read_bytes().startswith(
        b"Signature: 8a477f597d28d172789f06886806bc55")
    assert len(list(folder.glob("model-data-*"))) == 1
    stamps = {p: p.stat().st_mtime_ns for p in folder.iterdir()}
    checked = _run("check", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert {p: p.stat().st_mtime_ns for p in folder.iterdir()} == stamps
