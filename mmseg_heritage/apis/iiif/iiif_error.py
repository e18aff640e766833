"""The error of everything IIIF: a server, document or image that cannot be used."""
from typing import Optional


class IIIFError(ValueError):
    """A IIIF resource that cannot be used; the message names its URL (or file) and why: the
    HTTP status, a timeout, an image that does not decode or is not the size asked for, a
    document that is not what it claims to be.

    Args:
        message (str): What went wrong, naming the URL or file.
        status (int, optional): The HTTP status the server answered with, if that was it.
    """

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.status = status
