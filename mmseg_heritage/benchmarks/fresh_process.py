"""One measurement in a Python process of its own, so that its time and peak memory are its own.

:func:`run_in_fresh_process` starts ``python -m mmseg_heritage.benchmarks MODULE:FUNCTION
SPEC_JSON``, which calls ``FUNCTION(spec)`` and prints what it returns as one JSON line.
"""
import importlib
import json
import subprocess
import sys
from typing import Callable, Optional, Sequence


def run_in_fresh_process(function: Callable[[dict], dict], spec: dict,
                         cwd: Optional[str] = None) -> dict:
    """``function(spec)`` run in a new interpreter.

    Args:
        function (callable): A module-level function taking and returning plain JSON data.
        spec (dict): Its argument.
        cwd (str, optional): Folder the process runs in. Defaults to None: this one's.

    Returns:
        dict: What ``function`` returned.

    Raises:
        RuntimeError: The process failed; the message ends with its error output.
    """
    target = f'{function.__module__}:{function.__qualname__}'
    result = subprocess.run(
        [sys.executable, '-m', __package__, target, json.dumps(spec)],
        capture_output=True, text=True, cwd=cwd)
    if result.returncode:
        raise RuntimeError(f'{target} failed:\n{result.stderr[-3000:]}')
    return json.loads(result.stdout.strip().splitlines()[-1])


def call_and_print(argv: Sequence[str]) -> None:
    """The new interpreter's side: ``argv`` is ``MODULE:FUNCTION`` and the spec as JSON."""
    target, spec = argv
    module, name = target.split(':')
    print(json.dumps(getattr(importlib.import_module(module), name)(json.loads(spec))))
