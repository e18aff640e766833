"""The HTTP client of IIIF servers: polite, patient with busy servers, clear when they fail.

- Politeness: a few requests at a time (two by default), each with a ``User-Agent`` naming
  the tool.
- Patience: a request that times out, loses its connection, or is answered 429 (too many
  requests) or 5xx (a server error) is tried again after a pause that doubles each time (1, 2,
  4, 8 s by default), or after what the server's ``Retry-After`` asks for.
- Clarity: any other answer (404, 403...), a server still failing after the retries, or an
  image that does not decode or is not the size asked for is an :class:`IIIFError` naming the
  URL and the status or problem.
- A cache on disk (optional): each image fetched is kept under the SHA-256 of its URL and
  read from there the next time it is asked for.
"""
import email.utils
import hashlib
import json
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

import numpy as np
import requests

from ...datasets.image_decoding import ImageFileError, decode_image
from ...utils.atomic_files import write_bytes_atomic
from ...version import __version__
from .iiif_error import IIIFError

DEFAULT_CONCURRENCY = 2
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 4
BACKOFF_SECONDS = 1.0
# A server asking to wait longer than this is not waited for.
MAX_WAIT_SECONDS = 300.0
USER_AGENT = f'mmseg-heritage/{__version__} (IIIF client; damage maps of heritage scans)'
# Failures that may pass: the request is tried again.
TRANSIENT_ERRORS = (requests.ConnectionError, requests.Timeout,
                    requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError)


def retry_after(response: requests.Response) -> Optional[float]:
    """Seconds a ``Retry-After`` header asks to wait (a number or an HTTP date), or None."""
    value = response.headers.get('Retry-After', '').strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def decode_region(data: bytes, url: str, size: Tuple[int, int]) -> np.ndarray:
    """An image fetched from ``url`` as HxWx3 BGR uint8, checked to be ``size`` (width,
    height).

    Raises:
        IIIFError: It does not decode (e.g. truncated), or is another size.
    """
    try:
        image = decode_image(data, f'{url}: the image')
    except ImageFileError as error:
        raise IIIFError(str(error)) from None
    if image.shape[1::-1] != tuple(size):
        raise IIIFError(f'{url}: the server gave {image.shape[1]} x {image.shape[0]} px for a '
                        f'region of {size[0]} x {size[1]} px (is the size in info.json the '
                        "image's?)")
    return image


class IIIFClient:
    """Fetches IIIF documents and images.

    Args:
        concurrency (int): Requests at a time at most. Defaults to 2.
        timeout (float): Seconds to wait for a connection, and for each piece of an answer.
            Defaults to 30.
        retries (int): Tries after the first for a request that times out, loses its
            connection or is answered 429 or 5xx. Defaults to 4.
        cache_dir (str | Path, optional): Keep fetched images here and read them from here
            when asked again. Defaults to no cache.
        backoff (float): Seconds before the first retry, doubled for each next one.
            Defaults to 1.
        max_wait (float): The longest ``Retry-After`` honoured; a server asking for more is
            an error. Defaults to 300 s.
        sleep (Callable): How to wait (``time.sleep``; tests record the waits instead).
    """

    def __init__(self, concurrency: int = DEFAULT_CONCURRENCY, timeout: float = DEFAULT_TIMEOUT,
                 retries: int = DEFAULT_RETRIES,
                 cache_dir: Optional[Union[str, Path]] = None,
                 backoff: float = BACKOFF_SECONDS, max_wait: float = MAX_WAIT_SECONDS,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if concurrency < 1 or timeout <= 0 or retries < 0:
            raise ValueError(f'IIIF requests need concurrency >= 1 ({concurrency}), timeout > 0 '
                             f'({timeout}) and retries >= 0 ({retries})')
        self.concurrency, self.timeout, self.retries = concurrency, timeout, retries
        self.cache_dir = None if cache_dir is None else Path(cache_dir)
        self.backoff, self.max_wait, self.sleep = backoff, max_wait, sleep
        self._local = threading.local()  # a session per thread: requests' are not shared
        self._sessions: List[requests.Session] = []  # every thread's, to close them
        self._pool: Optional[ThreadPoolExecutor] = None

    def _session(self) -> requests.Session:
        session = getattr(self._local, 'session', None)
        if session is None:
            session = self._local.session = requests.Session()
            session.headers['User-Agent'] = USER_AGENT
            self._sessions.append(session)
        return session

    def get(self, url: str) -> bytes:
        """The body of a successful answer to ``url``, after retries where they may help.

        Raises:
            IIIFError: A status other than 2xx (``status`` set), or a failure that outlasted
                the retries.
        """
        problem, status = '', None
        for attempt in range(self.retries + 1):
            try:
                response = self._session().get(url, timeout=self.timeout)
            except TRANSIENT_ERRORS as error:
                problem, status = _reason(error), None
                pause = self.backoff * 2**attempt
            except requests.RequestException as error:
                raise IIIFError(f'{url}: {_reason(error)}') from None
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return response.content
                problem = f'HTTP {status} {response.reason or ""}'.rstrip()
                if status != 429 and status < 500:
                    raise IIIFError(f'{url}: {problem}', status)
                asked = retry_after(response)
                if asked is not None and asked > self.max_wait:
                    raise IIIFError(f'{url}: {problem}, and the server asks to wait {asked:g} s '
                                    f'(more than the {self.max_wait:g} s this client waits)',
                                    status)
                pause = self.backoff * 2**attempt if asked is None else asked
            if attempt < self.retries:
                self.sleep(pause)
        tries = f'{self.retries + 1} tries' if self.retries else 'no retries'
        raise IIIFError(f'{url}: {problem} ({tries})', status)

    def get_json(self, url: str) -> Any:
        """A JSON document (an ``info.json`` or a manifest).

        Raises:
            IIIFError: It cannot be fetched, or is not JSON.
        """
        data = self.get(url)
        try:
            return json.loads(data.decode('utf-8-sig'))
        except ValueError as error:
            raise IIIFError(f'{url}: not a JSON document ({error})') from None

    def get_image(self, urls: Sequence[str], size: Tuple[int, int]) -> Tuple[np.ndarray, bytes]:
        """One region: decoded and checked (:func:`decode_region`), with its encoded bytes.

        ``urls`` are tried in order while the server answers 404; from the cache when it holds
        one of them.

        Raises:
            IIIFError: The first URL's error when none is found, another URL's error, or the
                image's (see :func:`decode_region`).
        """
        not_found = None
        for index, url in enumerate(urls):
            cached = self._cached(url)
            if cached is not None and cached.is_file():
                try:
                    data = cached.read_bytes()
                    return decode_region(data, url, size), data
                except (OSError, IIIFError):
                    cached.unlink(missing_ok=True)  # damaged: fetch it again
            try:
                data = self.get(url)
            except IIIFError as error:
                if error.status != 404:
                    raise
                not_found = not_found or error
                if index + 1 < len(urls):
                    continue
                raise not_found from None
            image = decode_region(data, url, size)
            if cached is not None:
                write_bytes_atomic(cached, data)
            return image, data
        raise ValueError('no URL to fetch')

    def get_images(self, requests_: Sequence[Tuple[Sequence[str], Tuple[int, int]]]
                   ) -> List[Tuple[np.ndarray, bytes]]:
        """Several regions (``(urls, size)`` each, as :meth:`get_image`), ``concurrency`` at a
        time; an error stops those not started, and the first error in the requests' order is
        raised."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix='iiif')
        futures = [self._pool.submit(self.get_image, urls, size) for urls, size in requests_]
        _, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in pending:
            future.cancel()
        wait(pending)  # let those running finish before an error is raised
        for future in futures:  # the first in the requests' order, whichever failed first
            if not future.cancelled() and future.exception() is not None:
                raise future.exception()
        return [future.result() for future in futures]

    def _cached(self, url: str) -> Optional[Path]:
        if self.cache_dir is None:
            return None
        key = hashlib.sha256(url.encode('utf-8')).hexdigest()
        return self.cache_dir / key[:2] / key

    def close(self) -> None:
        """Stop the worker threads and close the connections (a later request opens them
        again)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        for session in self._sessions:
            session.close()
        self._sessions.clear()
        self._local = threading.local()

    def __enter__(self) -> 'IIIFClient':
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _reason(error: Exception) -> str:
    """A request's failure in words: timeouts and broken connections by name."""
    if isinstance(error, requests.Timeout):
        return f'no answer within the timeout ({type(error).__name__})'
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return f'the answer was cut off ({error})'
    return f'{type(error).__name__}: {error}'
