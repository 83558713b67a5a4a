"""``mostrador redact`` starts without the app: no FastAPI, CRM or LangChain import."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import sys
sys.argv = ["mostrador", "redact"]
from api import entry
try:
    entry.main()
finally:
    heavy = sorted(m for m in ("fastapi", "sqlmodel", "langchain", "openai", "api.cli", "crm")
                   if m in sys.modules)
    print("HEAVY=" + ",".join(heavy), file=sys.stderr)
"""


def test_redact_answers_without_importing_the_app() -> None:
    line = json.dumps({"id": 1, "text": "Soy Ana Pérez, mi cel es 11 5832-1190"})
    proc = subprocess.run([sys.executable, "-c", PROBE], input=line + "\n",
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.splitlines()[0])
    assert out["text"] == "Soy <PERSON_1>, mi cel es <PHONE_NUMBER_1>"
    assert "HEAVY=\n" in proc.stderr or proc.stderr.rstrip().endswith("HEAVY=")


def test_other_commands_still_reach_the_full_cli() -> None:
    proc = subprocess.run([sys.executable, "-c",
                           "import sys; sys.argv=['mostrador','--help']\n"
                           "from api import entry\nentry.main()"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "seed-demo" in proc.stdout and "redact" in proc.stdout
