"""Turning a matplotlib figure into PNG bytes or a PNG file.

The chart functions of this package build a ``matplotlib.figure.Figure`` without pyplot, so
nothing is kept in pyplot's global list of figures and they can be called any number of times
in one process; a figure is freed as soon as it is no longer referenced.
"""
from io import BytesIO
from os import PathLike
from typing import Union

from matplotlib.figure import Figure

from ..utils.atomic_files import write_bytes_atomic


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """The figure encoded as PNG, cropped to what is drawn.

    Args:
        fig (Figure): The figure.
        dpi (int): Pixels per inch. Defaults to 100.

    Returns:
        bytes: The PNG file's content.
    """
    buffer = BytesIO()
    fig.savefig(buffer, format='png', dpi=dpi, bbox_inches='tight')
    return buffer.getvalue()


def save_figure(fig: Figure, path: Union[str, PathLike], dpi: int = 100) -> None:
    """Write the figure as a PNG file atomically, creating missing parent folders.

    Args:
        fig (Figure): The figure.
        path (str | PathLike): The PNG file.
        dpi (int): Pixels per inch. Defaults to 100.
    """
    write_bytes_atomic(path, figure_png(fig, dpi))
