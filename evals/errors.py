"""What can go wrong in a scenario eval, by who must act.

    EvalError
    └── SuiteError       the scenario file is wrong or asks for what the CRM refuses: the
                         message names the file, the scenario and the field, and says how
                         to write it (fix the file)

A scenario whose expectations fail is not an error: it is a result (evals.results). A
turn that raises is recorded on its run (the run fails), and the eval goes on.
"""

from __future__ import annotations


class EvalError(Exception):
    """Base of the eval's errors; `str(exc)` is a message for the person running it."""


class SuiteError(EvalError):
    """The scenario file cannot be used as written."""
