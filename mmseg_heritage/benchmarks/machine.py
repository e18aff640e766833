"""What a benchmark ran on, so that figures of two machines are not compared unawares."""
import os
import platform
import re
from pathlib import Path


def cpu_name() -> str:
    """The CPU's model name (Linux ``/proc/cpuinfo``), else ``platform.processor()``."""
    try:
        cpuinfo = Path('/proc/cpuinfo').read_text()
    except OSError:
        return platform.processor()
    found = re.search(r'model name\s*:\s*(.+)', cpuinfo)
    return found.group(1).strip() if found else platform.processor()


def machine_record(**versions: str) -> dict:
    """CPU count, platform and Python version, with the package ``versions`` given."""
    return dict(cpu_count=os.cpu_count(), platform=platform.platform(),
                python=platform.python_version(), **versions)
