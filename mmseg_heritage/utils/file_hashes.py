"""SHA-256 of files: split files in provenance, published checkpoints, downloaded weights."""
import hashlib
import os
from typing import Union


def sha256_of_file(path: Union[str, os.PathLike]) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks (checkpoints run to hundreds of MB)."""
    digest = hashlib.sha256()
    with open(path, 'rb') as file:
        for chunk in iter(lambda: file.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()
