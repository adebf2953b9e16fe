"""scripts/eval_outside.py scores works from outside the shared corpus as make eval does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.understand.test_cast import FRIENDS, ROMANCE

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "eval_outside.py"


def test_records_are_scored_against_their_tags(tmp_path: Path) -> None:
    record = {
        "fandoms": ["Buffy the Vampire Slayer"],
        "characters": ["Willow Rosenberg", "Tara Maclay"],
        "relationships": ["Willow Rosenberg/Tara Maclay"],
        "rating": "Teen And Up Audiences",
        "text": "\n\n".join(ROMANCE * 4 + FRIENDS * 2),
    }
    (tmp_path / "w.json").write_text(json.dumps(record), encoding="utf-8")
    bare = dict(record, fandoms=["Tales of the Ninth River"], text="The river was cold. " * 60)
    (tmp_path / "r.json").write_text(json.dumps(bare), encoding="utf-8")
    (tmp_path / "untagged.json").write_text(json.dumps(dict(record, fandoms=[])), "utf-8")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True, check=True
    )
    lines = done.stdout.splitlines()
    assert any(line.startswith("w.json") and "fandom right" in line for line in lines)
    assert any(line.startswith("r.json") and "fandom abstained" in line for line in lines)
    assert not any(line.startswith("untagged.json") for line in lines)
    assert lines[-1] == "fandom verdicts: {'abstained': 1, 'right': 1} (2 works)"
