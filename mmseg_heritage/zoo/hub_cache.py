"""Files from the Hugging Face hub: read from its cache, downloaded only when asked.

Everything goes through ``huggingface_hub``'s own functions and its normal cache
(``HF_HUB_CACHE``, by default ``~/.cache/huggingface/hub``), so files fetched here, by timm or by
``hf download`` are one and the same, and ``HF_HUB_OFFLINE=1`` is honoured. The hub names each
large (LFS) file in the cache by its SHA-256; every file handed out is checked against it.
"""
import re
from pathlib import Path
from typing import Optional, Union

from ..utils import sha256_of_file

# What a hub repository id looks like: `org/name` (a path that exists wins over it).
_HUB_ID = re.compile(r'^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$')
_SHA256 = re.compile(r'^[0-9a-f]{64}$')


def is_hub_id(name: Union[str, Path]) -> bool:
    """Whether ``name`` is a hub repository id (``org/name``) rather than a local path."""
    return bool(_HUB_ID.match(str(name))) and not Path(name).exists()


def hub_cache_dir() -> Path:
    """The Hugging Face cache folder in use (``HF_HUB_CACHE``)."""
    from huggingface_hub import constants
    return Path(constants.HF_HUB_CACHE)


def repo_cache_dir(repo_id: str) -> Path:
    """Where the cache keeps a model repository: ``models--ORG--NAME``."""
    return hub_cache_dir() / ('models--' + repo_id.replace('/', '--'))


def check_cached_file(path: Union[str, Path]) -> Path:
    """Check a cached hub file against the SHA-256 the hub published for it.

    The cache keeps each file as ``blobs/<etag>`` and links it from ``snapshots/``; for large
    (LFS) files the etag is the file's SHA-256. Small files kept in git have a git hash
    instead, and are not checked.

    Raises:
        ValueError: The file's SHA-256 is not the published one (it names both and the file).
    """
    blob = Path(path).resolve()
    if _SHA256.match(blob.name):
        actual = sha256_of_file(blob)
        if actual != blob.name:
            raise ValueError(f'{path}: SHA-256 {actual}, but the hub published {blob.name}: the '
                             f'file is corrupt or was changed; delete {blob} and download it '
                             'again')
    return Path(path)


def _unavailable(what: str, download: bool, error: Exception) -> FileNotFoundError:
    if download:
        return FileNotFoundError(f'{what}: could not be downloaded ({error})')
    return FileNotFoundError(f'{what}: not in the Hugging Face cache {hub_cache_dir()}; add '
                             '--download to fetch it (needs the internet)')


def hub_file(repo_id: str, filename: str, revision: Optional[str] = None,
             download: bool = False) -> Path:
    """One file of a hub model repository, from the cache or, with ``download``, the hub.

    Args:
        repo_id (str): ``org/name``.
        filename (str): The file's path in the repository.
        revision (str, optional): Branch, tag or commit. Defaults to None (``main``).
        download (bool): Fetch it when it is not cached. Defaults to False (cache only).

    Returns:
        Path: The file in the cache, checked against its published SHA-256.

    Raises:
        FileNotFoundError: Not cached (and not downloaded), or the download failed.
        ValueError: The file does not match its published SHA-256.
    """
    from huggingface_hub import hf_hub_download, try_to_load_from_cache
    from huggingface_hub.errors import EntryNotFoundError
    cached_before = isinstance(try_to_load_from_cache(repo_id, filename, revision=revision), str)
    try:
        path = Path(hf_hub_download(repo_id, filename, revision=revision,
                                    local_files_only=not download))
    except (OSError, ValueError, EntryNotFoundError) as error:
        raise _unavailable(f'{repo_id}/{filename}', download, error) from None
    try:
        return check_cached_file(path)
    except ValueError:
        if not cached_before:  # a bad download of ours does not stay in the cache
            path.resolve().unlink(missing_ok=True)
            path.unlink(missing_ok=True)
        raise


def hub_snapshot(repo_id: str, download: bool = False) -> Path:
    """A whole hub model repository (its files at ``main``), from the cache or the hub.

    Returns:
        Path: The snapshot folder in the cache; its large files are checked against their
        published SHA-256.

    Raises:
        FileNotFoundError: Not cached (and not downloaded), or the download failed.
        ValueError: A file does not match its published SHA-256.
    """
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import EntryNotFoundError
    try:
        folder = Path(snapshot_download(repo_id, local_files_only=not download))
    except (OSError, ValueError, EntryNotFoundError) as error:
        raise _unavailable(repo_id, download, error) from None
    for path in sorted(folder.rglob('*')):
        if path.is_file():
            check_cached_file(path)
    return folder
