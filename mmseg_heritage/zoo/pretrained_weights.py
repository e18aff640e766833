"""The pretrained weights a config names, fetched on request into the usual caches.

A config names the weights its backbone starts from in ``pretrained_weights``, a URL: a file
of a Hugging Face hub repository (``https://huggingface.co/ORG/NAME/resolve/REVISION/FILE``,
timm's weights) or any other URL (MMSeg's MiT on download.openmmlab.com). Training reads only
the local file given as ``model.pretrained``; this module finds or fetches that file:

- hub files go to the Hugging Face cache (``HF_HUB_CACHE``), where timm and ``hf download``
  put them too, and are checked against the SHA-256 the hub publishes for them;
- other URLs go to torch's hub cache, ``<torch.hub.get_dir()>/checkpoints/``, where MMEngine
  puts a checkpoint it loads by URL, and are checked against the SHA-256 prefix in the file
  name where there is one (``mit_b3_20220624-13b1141c.pth``: torch.hub's convention).

Packaged weights (``'package:efficientnet-lite2'``: ImageNet weights in a pip package) are
not fetched: such a config sets ``model.pretrained`` to them itself, and training loads them
from the installed package.
"""
import re
import urllib.error
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

import torch

from ..models.backbones import PackagedWeights, packaged_weights
from ..utils import sha256_of_file
from .hub_cache import hub_cache_dir, hub_file, repo_cache_dir

_HUB_URL = re.compile(r'^https://huggingface\.co/(?P<repo_id>[\w.-]+/[\w.-]+)/resolve/'
                      r'(?P<revision>[^/]+)/(?P<filename>.+)$')
# torch.hub's check_hash convention: `name-<first hex digits of the SHA-256>.ext`.
_HASH_PREFIX = re.compile(r'-([a-f0-9]{8,64})\.')


@dataclass(frozen=True)
class PretrainedWeights:
    """Weights named by URL, and where they live once fetched.

    Args:
        url (str): As the config names it.
    """
    url: str

    @property
    def hub_file(self) -> Optional[dict]:
        """``repo_id``, ``revision`` and ``filename`` of a hub file; None for other URLs."""
        match = _HUB_URL.match(self.url)
        return match.groupdict() if match else None

    @property
    def file(self) -> Path:
        """Where a non-hub file goes: torch's hub cache, under its URL's file name."""
        return Path(torch.hub.get_dir()) / 'checkpoints' / self.url.rsplit('/', 1)[-1]

    @property
    def destination(self) -> Path:
        """Where it goes: its repository's folder in the Hugging Face cache, or its file in
        torch's hub cache."""
        return repo_cache_dir(self.hub_file['repo_id']) if self.hub_file else self.file

    def cached(self) -> Optional[Path]:
        """The file if it is already in its cache (and checked), else None.

        Raises:
            ValueError: The cached file does not match its published SHA-256.
        """
        if self.hub_file:
            try:
                return hub_file(**self.hub_file, download=False)
            except FileNotFoundError:
                return None
        if not self.file.is_file():
            return None
        _check_hash_prefix(self.file)
        return self.file

    def fetch(self) -> Path:
        """The file, downloaded into its cache unless it is there already.

        Raises:
            FileNotFoundError: It could not be downloaded (offline, say); the message says
                where to put it by hand.
            ValueError: It does not match its published SHA-256 (nothing is kept).
        """
        cached = self.cached()
        if cached is not None:
            return cached
        if self.hub_file:
            try:
                return hub_file(**self.hub_file, download=True)
            except FileNotFoundError as error:
                raise FileNotFoundError(f'{error}. {self.where_to_put()}') from None
        prefix = _hash_prefix(self.file)
        self.file.parent.mkdir(parents=True, exist_ok=True)
        try:
            # Downloads to a temporary file beside it, checks the prefix, then renames.
            torch.hub.download_url_to_file(self.url, str(self.file), hash_prefix=prefix)
        except (urllib.error.URLError, OSError) as error:
            raise FileNotFoundError(f'{self.url}: could not be downloaded ({error}). '
                                    f'{self.where_to_put()}') from None
        except RuntimeError as error:  # torch's "invalid hash value"
            raise ValueError(f'{self.url}: {error}; nothing was kept') from None
        return self.file

    def where_to_put(self) -> str:
        """How to fetch the file by hand on a machine with internet, and where it goes here."""
        if self.hub_file:
            repo_id, filename = self.hub_file['repo_id'], self.hub_file['filename']
            return (f'On a machine with internet run `hf download {repo_id} {filename}` (or '
                    f'this tool) and copy its cache folder {repo_cache_dir(repo_id).name}/ into '
                    f'{hub_cache_dir()}/, or put the file anywhere and pass '
                    '--cfg-options model.pretrained=/that/file')
        return f'Download {self.url} and put it at {self.file}'


def pretrained_weights(cfg) -> Optional[Union[PretrainedWeights, PackagedWeights]]:
    """The weights a config names in ``pretrained_weights``: weights named by URL, packaged
    weights (``'package:...'``, nothing to fetch), or None for a model from scratch."""
    source = cfg.get('pretrained_weights')
    if not source:
        return None
    return packaged_weights(source) or PretrainedWeights(source)


def override_config(config: Path, weights: Path, url: str) -> str:
    """A small config: ``config`` with ``model.pretrained`` set to the local ``weights``."""
    return (f'# {config.name} starting from the pretrained weights {url},\n'
            f'# found by tools/fetch_weights.py.\n'
            f"_base_ = ['{config.resolve()}']\n"
            f"model = dict(pretrained='{weights}')\n")


def _hash_prefix(path: Path) -> Optional[str]:
    match = _HASH_PREFIX.search(path.name)
    return match.group(1) if match else None


def _check_hash_prefix(path: Path) -> None:
    prefix = _hash_prefix(path)
    if prefix is None:
        return
    actual = sha256_of_file(path)
    if not actual.startswith(prefix):
        raise ValueError(f'{path}: SHA-256 {actual}, but its name promises one starting with '
                         f'{prefix}: the file is corrupt or holds other weights; delete it and '
                         'fetch it again')
