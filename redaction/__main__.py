"""``python -m redaction [--in FILE] [--out FILE] [--lang es] [--style placeholder]``."""

import typer

from redaction.cli import redact_command

if __name__ == "__main__":
    typer.run(redact_command)
