"""The journal of a collection run: one line per finished scan, appended and synced to disk.

A scan's files (mask, overlay, tiles, GeoJSON, condition report) are all written before its
line, so a line means the scan is complete; a run killed at any moment loses at most the scan
it was working on, whose line was never written (a line cut off mid-write is ignored). Each
process appends to a file of its own (``shard-RANK-of-WORLD.jsonl``), so processes never write
to the same file; the report is built from all of them, under a lock, by whichever process
finishes: the last one to do so sees every line.

A scan is done when the newest line for its name was written with the same settings from the
same source file (path, size and modification time), or for a scan served by IIIF the same
canvas and image service (its id and size); only then does a re-run skip it.
"""
import fcntl
import hashlib
import json
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional, Union

PathLike = Union[str, Path]


def source_identity(path) -> Optional[dict]:
    """What tells a source file apart from a changed one: its path, size and modification
    time (as the image cache keys its entries); None for a missing file. A scan that is not a
    file (a IIIF scan) gives its own ``identity()``."""
    if not isinstance(path, (str, os.PathLike)):
        return path.identity()
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return dict(path=str(Path(path).resolve()), size=stat.st_size, mtime_ns=stat.st_mtime_ns)


def settings_key(settings: Mapping) -> str:
    """A short hash of the settings that shape a scan's outputs."""
    text = json.dumps(settings, sort_keys=True, default=str)
    return hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]


class CollectionJournal:
    """The journal folder of a collection run.

    Args:
        folder: Where the journal files are (``OUT_DIR/journal``).
        rank (int): This process's shard. Defaults to 0.
        world (int): Number of shards. Defaults to 1.
    """

    def __init__(self, folder: PathLike, rank: int = 0, world: int = 1) -> None:
        self.folder = Path(folder)
        self.path = self.folder / f'shard-{rank}-of-{world}.jsonl'

    def append(self, entry: dict) -> None:
        """Add one line and sync it to disk before returning."""
        self.folder.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists()
        line = json.dumps(entry, sort_keys=True).encode('utf-8') + b'\n'
        with open(self.path, 'ab+') as journal:
            journal.seek(0, os.SEEK_END)
            if journal.tell():
                journal.seek(-1, os.SEEK_END)
                if journal.read(1) != b'\n':  # a line cut off by a kill: end it
                    line = b'\n' + line
            journal.write(line)
            journal.flush()
            os.fsync(journal.fileno())
        if new:  # the file's name in its folder must survive a power cut too
            folder = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)

    def entries(self) -> List[dict]:
        """Every complete line of every process's journal, oldest first."""
        entries = []
        for path in sorted(self.folder.glob('shard-*.jsonl')):
            for line in path.read_bytes().splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # cut off by a kill
                if isinstance(entry, dict) and 'name' in entry:
                    entries.append(entry)
        return sorted(entries, key=lambda entry: entry.get('finished', 0))

    def done(self, images: Mapping, key: str) -> Dict[str, dict]:
        """The newest entry of each of ``images`` (files or IIIF scans) written with settings
        ``key`` from the source as it is now; scans without one are missing."""
        newest = {}
        for entry in self.entries():
            if entry['name'] in images and entry.get('settings') == key:
                newest[entry['name']] = entry
        return {name: entry for name, entry in newest.items()
                if entry.get('source') == source_identity(images[name])}

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the journal's lock (one report writer at a time, across processes)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / '.lock', 'a') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def journal_entry(record: dict, source: dict, key: str) -> dict:
    """A scan's record as its journal line: with its source file, settings and time."""
    return dict(record, source=source, settings=key, finished=time.time())
