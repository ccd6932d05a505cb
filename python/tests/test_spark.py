"""recto on Spark: examples/spark_pipe.py pipes JSONL through the CLI in local[2] mode.

Needs Java, pyspark and the `recto` binary: $RECTO_BIN, or target/release/recto at the
top of the repository (ci.sh builds it). Skipped when one of them is missing.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

import recto

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "python" / "examples" / "spark_pipe.py"
RECTO = Path(os.environ.get("RECTO_BIN", ROOT / "target" / "release" / "recto"))

pyspark = pytest.importorskip("pyspark")
if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
    pytest.skip("no Java for Spark", allow_module_level=True)
if not RECTO.is_file():
    pytest.skip(f"no recto binary at {RECTO} (set RECTO_BIN)", allow_module_level=True)


@pytest.fixture(scope="module")
def example():
    sys.path.insert(0, str(EXAMPLE.parent))
    try:
        yield importlib.import_module(EXAMPLE.stem)
    finally:
        sys.path.remove(str(EXAMPLE.parent))
        sys.modules.pop(EXAMPLE.stem, None)


@pytest.fixture(scope="module")
def sc():
    # The executors are local Python workers: make them the interpreter running the test.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    context = pyspark.SparkContext(master="local[2]", appName="recto-test")
    context.setLogLevel("ERROR")
    yield context
    context.stop()


def write_shards(directory: Path, shards: int, extra: list[str] = ()) -> list[str]:
    """Writes JSONL shards; returns their lines in file-name order."""
    directory.mkdir()
    lines = []
    for shard in range(shards):
        shard_lines = [
            json.dumps(
                {"id": f"{shard}-{i}", "text": text, "title": "ﬁ caf\u00c3\u00a9", "n": i},
                separators=(",", " : "),
            )
            for i, text in enumerate(
                [f"record {shard}: the ﬁnancial caf\u00c3\u00a9\u200b report", "clean, 東京"] * 20
            )
        ]
        shard_lines += extra
        (directory / f"part-{shard}.jsonl").write_text("\n".join(shard_lines) + "\n", "utf-8")
        lines += shard_lines
    return lines


def read_output(directory: Path) -> list[str]:
    assert (directory / "_SUCCESS").exists()
    lines = []
    for part in sorted(directory.glob("part-*")):
        lines += part.read_text("utf-8").splitlines()
    return lines


def test_spark_pipe_cleans_only_the_text_field_in_order(tmp_path, sc, example):
    lines_in = write_shards(tmp_path / "in", 3)
    command = example.recto_command(str(RECTO), field="text")
    example.clean_corpus(sc, str(tmp_path / "in" / "*.jsonl"), str(tmp_path / "out"), command)
    lines_out = read_output(tmp_path / "out")
    assert len(lines_out) == len(lines_in)
    for line_in, line_out in zip(lines_in, lines_out):
        record = json.loads(line_in)
        cleaned = recto.clean(record["text"])
        if cleaned == record["text"]:
            assert line_out == line_in
        else:
            old = json.dumps(record["text"])
            assert line_out == line_in.replace(old, json.dumps(cleaned, ensure_ascii=False))


def test_spark_pipe_fails_the_job_on_records_without_the_field(tmp_path, sc, example):
    # Documented: recto exits 2 after passing such a record through, and checkCode
    # turns that into a failed task; --no-check accepts the output.
    lines_in = write_shards(tmp_path / "in", 1, extra=['{"id": "no text"}'])
    command = example.recto_command(str(RECTO))
    with pytest.raises(Exception, match=r"exited with error code 2"):
        example.clean_corpus(sc, str(tmp_path / "in"), str(tmp_path / "strict"), command)
    example.clean_corpus(sc, str(tmp_path / "in"), str(tmp_path / "lax"), command, check=False)
    lines_out = read_output(tmp_path / "lax")
    assert len(lines_out) == len(lines_in)
    assert lines_out[-1] == '{"id": "no text"}'
