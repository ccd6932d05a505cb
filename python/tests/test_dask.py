"""recto on a Dask cluster: examples/dask_jsonl.py over JSONL shards, two worker processes."""

from __future__ import annotations

import importlib
import json
import logging
import sys
from pathlib import Path

import pytest

import recto

distributed = pytest.importorskip("dask.distributed")

TIMEOUT = 120  # seconds; the whole module takes well under 30 s

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "dask_jsonl.py"


def run(client, collections):
    """Computes on the cluster; fails instead of hanging when a worker cannot run a task."""
    futures = client.compute(collections)
    distributed.wait(futures, timeout=TIMEOUT)
    return client.gather(futures)


def shard_records(shard: int) -> list[dict]:
    """Records of one shard: noisy and clean texts, other fields that must not change."""
    records = []
    for i in range(40):
        text = [
            f"Shard {shard}, record {i}: the ﬁnancial caf\u00c3\u00a9\u200b report.\r\n",
            f"Already clean, record {i}: Mátyás Rákosi and 東京.",
            "",
        ][i % 3]
        records.append(
            {
                "id": f"{shard}-{i}",
                "text": text,
                # Looks noisy, but it is not the field being cleaned.
                "title": "ﬁle caf\u00c3\u00a9",
                "n": i,
                "tags": ["ﬁ", None],
            }
        )
    records.append({"id": f"{shard}-no-text", "n": -1})
    records.append({"id": f"{shard}-null", "text": None})
    return records


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    with cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def example(client):
    """The example module, importable on the client and (uploaded) on the workers."""
    sys.path.insert(0, str(EXAMPLE.parent))
    try:
        module = importlib.import_module(EXAMPLE.stem)
        # How a user ships their own module to running workers.
        client.upload_file(str(EXAMPLE))
        yield module
    finally:
        sys.path.remove(str(EXAMPLE.parent))
        sys.modules.pop(EXAMPLE.stem, None)


def test_dask_cleans_only_the_text_field_in_order(tmp_path, client, example):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shards = {}
    for shard in range(4):
        shards[shard] = shard_records(shard)
        # ASCII escapes and odd spacing: the output must keep both outside the text field.
        lines = (json.dumps(r, separators=(",", " : ")) for r in shards[shard])
        (inputs / f"part-{shard}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    cleaner = recto.Cleaner()
    bag = example.clean_bag(str(inputs / "*.jsonl"), cleaner, field="text")
    assert bag.npartitions == 4
    out = tmp_path / "out"
    with distributed.get_task_stream(client) as tasks:
        writes = bag.to_textfiles(str(out / "*.jsonl"), last_endline=True, compute=False)
        run(client, writes)
    # Both worker processes took part.
    assert len({task["worker"] for task in tasks.data}) == 2
    for shard, records in shards.items():
        written = (inputs / f"part-{shard}.jsonl").read_text("utf-8").splitlines()
        got = (out / f"{shard}.jsonl").read_text("utf-8").splitlines()
        assert len(got) == len(written), "records lost or added"
        for before, line_in, line_out in zip(records, written, got):
            text = before.get("text")
            if not isinstance(text, str) or recto.clean(text) == text:
                assert line_out == line_in
                continue
            # Only the text value differs, byte for byte.
            old = json.dumps(text)
            head, tail = line_in.split(old)
            assert line_out.startswith(head) and line_out.endswith(tail)
            assert json.loads(line_out[len(head) : len(line_out) - len(tail)]) == recto.clean(text)
            assert json.loads(line_out) == dict(before, text=recto.clean(text))
    # The noisy texts were repaired; the fields that were not asked for were not.
    first = json.loads((out / "0.jsonl").read_text("utf-8").splitlines()[0])
    assert first["text"] == "Shard 0, record 0: the financial café report.\n"
    assert first["title"] == "ﬁle caf\u00c3\u00a9"


def test_dask_workers_use_the_cleaners_options(tmp_path, client, example):
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"text": "ﬁnancial caf\u00c3\u00a9"}) + "\n", encoding="utf-8")
    # Pickled to the workers with its options: only ligatures.
    cleaner = recto.Cleaner(select=["unicode.ligature"])
    (lines,) = run(client, [example.clean_bag(str(path), cleaner)])
    assert [json.loads(line)["text"] for line in lines] == ["financial caf\u00c3\u00a9"]
