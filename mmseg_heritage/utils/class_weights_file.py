"""Reading ``class_weights.json``, the per-class weights the preparation writes beside a
dataset (see ``datasets/preparation/class_weights.py``); the loss and the rare-class crop
take it by path."""
import json
from pathlib import Path
from typing import Optional, Sequence, Union

from ..class_names import CLASSES

CLASS_WEIGHTS_FILE = 'class_weights.json'
WEIGHTING_METHODS = ('inverse', 'median', 'log', 'sqrt_log')
DEFAULT_METHOD = 'log'


def load_class_weights(source: Union[str, Path, Sequence[float]],
                       method: Optional[str] = None) -> list:
    """Class weights from a list or from a JSON file.

    Args:
        source: A list of weights, or the path of a JSON file holding either a plain list or
            the record written by :func:`class_weights_record`.
        method (str, optional): Which scheme of a record to use; defaults to its ``default``.

    Returns:
        list[float]: One weight per class.
    """
    if not isinstance(source, (str, Path)):
        return [float(w) for w in source]
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f'{path}: class weights file not found')
    try:
        record = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f'{path}: not valid JSON ({error})') from None
    if isinstance(record, list):
        weights = record
    else:
        method = method or record.get('default', DEFAULT_METHOD)
        if method not in record.get('weights', {}):
            raise ValueError(f'{path}: no class weights for method {method!r} '
                             f'(has {sorted(record.get("weights", {}))})')
        weights = record['weights'][method]
    if len(weights) != len(CLASSES):
        raise ValueError(f'{path}: {len(weights)} class weights, expected {len(CLASSES)}')
    return [float(w) for w in weights]
