"""A console killed while an operator types: the draft autosaved just before is offered back, whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from vmwall.journal.drafts import DraftStore

REPO = Path(__file__).resolve().parents[2]

# Saves a growing draft as fast as it can (far faster than a typist), printing each saved length.
_TYPIST = """
import sys
from pathlib import Path
from vmwall.journal.drafts import DraftStore
drafts = DraftStore(Path(sys.argv[1]), "alice")
text = ""
for i in range(10**9):
    text += "abcdefghij"[i % 10]
    drafts.save_draft({"category": "rixe", "text": text, "cameras": [12], "length": len(text)})
    print(len(text), flush=True)
"""


def test_a_draft_survives_the_process_being_killed_mid_write(tmp_path: Path) -> None:
    for attempt in range(5):
        data_dir = tmp_path / f"run{attempt}"
        typist = subprocess.Popen(
            [sys.executable, "-c", _TYPIST, str(data_dir)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            cwd=REPO,
        )
        assert typist.stdout is not None
        saved = 0
        deadline = time.monotonic() + 30
        while saved < 20 + 15 * attempt and time.monotonic() < deadline:
            saved = int(typist.stdout.readline())
        typist.send_signal(signal.SIGKILL)
        typist.wait(timeout=10)
        assert typist.returncode == -signal.SIGKILL
        draft = DraftStore(data_dir, "alice").pending_draft()
        assert draft is not None, "the draft was lost"
        text = draft.fields["text"]
        # Whole: the saved text is consistent with its own length field, and not older than the last
        # save the typist reported before being killed.
        assert len(text) == draft.fields["length"] and text == ("abcdefghij" * 10**4)[: len(text)]
        assert len(text) >= saved
        assert draft.fields["cameras"] == [12]
