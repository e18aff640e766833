"""An exported model file: opened with ONNX Runtime, and what it carries besides its graph,
so that inference needs no config.

The metadata is stored as ONNX ``metadata_props`` (string to string), each value JSON, under
these keys:

- ``mmseg_heritage.format``: this layout's version (1);
- ``classes``, ``palette``: class names and RGB colours;
- ``data_preprocessor``: the config's ``SegDataPreProcessor`` (mean, std, channel order,
  padding), rebuilt as it is at inference;
- ``test_pipeline``: the config's test pipeline (its resize);
- ``test_cfg``: the model's ``test_cfg`` (whole or slide inference);
- ``tile_size``, ``tile_stride``: the tiles ``tools/infer.py`` uses by default;
- ``input_size``: ``[height, width]`` for a model that takes one size only, else null;
- ``precision``: 'fp32' or 'int8';
- ``source``, ``check``, ``int8``: where the model came from, how it compared with PyTorch,
  how it was quantised (for people; inference does not read them).

Writing needs the ``onnx`` package; reading needs only ONNX Runtime.
"""
import json
from pathlib import Path
from typing import Union

FORMAT_KEY = 'mmseg_heritage.format'
FORMAT_VERSION = 1
REQUIRED_KEYS = ('classes', 'palette', 'data_preprocessor', 'test_pipeline', 'test_cfg',
                 'tile_size', 'tile_stride', 'input_size', 'precision')
RECORD_KEYS = ('source', 'check', 'int8')


def write_metadata(model, metadata: dict) -> None:
    """Set ``metadata`` (plain JSON data) on an ``onnx.ModelProto``, replacing earlier values.

    Raises:
        ValueError: A required key is missing.
    """
    missing = [key for key in REQUIRED_KEYS if key not in metadata]
    if missing:
        raise ValueError(f'model metadata lacks {", ".join(missing)}')
    unknown = sorted(set(metadata) - set(REQUIRED_KEYS) - set(RECORD_KEYS))
    if unknown:
        raise ValueError(f'unknown model metadata {", ".join(unknown)}')
    values = {FORMAT_KEY: FORMAT_VERSION, **metadata}
    kept = [prop for prop in model.metadata_props if prop.key not in values]
    del model.metadata_props[:]
    model.metadata_props.extend(kept)
    for key, value in values.items():
        prop = model.metadata_props.add()
        prop.key, prop.value = key, json.dumps(value)


def metadata_of_session(session, source: str = 'the model') -> dict:
    """The metadata of a model opened in an ``onnxruntime.InferenceSession``.

    Args:
        session: The session.
        source (str): How to name the model in errors (its file).

    Raises:
        ValueError: The model was not exported by ``tools/export_onnx.py`` (no or another
            metadata version), or a value is missing or not JSON.
    """
    stored = session.get_modelmeta().custom_metadata_map
    if FORMAT_KEY not in stored:
        raise ValueError(f'{source}: no mmseg_heritage metadata (classes, normalisation, '
                         'tiles); export the model with tools/export_onnx.py')
    try:  # other tools may add keys of their own: only ours are read
        metadata = {key: json.loads(value) for key, value in stored.items()
                    if key in (FORMAT_KEY, *REQUIRED_KEYS, *RECORD_KEYS)}
    except json.JSONDecodeError as error:
        raise ValueError(f'{source}: unreadable metadata ({error})') from None
    if metadata.pop(FORMAT_KEY) != FORMAT_VERSION:
        raise ValueError(f'{source}: metadata version {stored[FORMAT_KEY]}, this version of '
                         f'mmseg_heritage reads {FORMAT_VERSION}; export the model again')
    missing = [key for key in REQUIRED_KEYS if key not in metadata]
    if missing:
        raise ValueError(f'{source}: the metadata lacks {", ".join(missing)}')
    return metadata


def read_metadata(path: Union[str, Path]) -> dict:
    """The metadata of an exported model file (see the module's docstring).

    Raises:
        FileNotFoundError: No such file.
        ValueError: Not an ONNX model, or one without our metadata.
    """
    session = open_session(path)
    return metadata_of_session(session, str(path))


def open_session(path: Union[str, Path], threads: int = 0):
    """An ONNX Runtime CPU session of a model file, with every graph optimisation.

    Args:
        path (str | Path): The ``.onnx`` file.
        threads (int): Threads of one operator; 0 lets ONNX Runtime choose (its physical
            cores). Defaults to 0.

    Raises:
        FileNotFoundError: No such file.
        ValueError: ONNX Runtime cannot load it (not an ONNX model, truncated, an operator
            it lacks); the message names the file.
    """
    import onnxruntime as ort
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'{path}: no such model file')
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    # One operator at a time, each on every thread: what a convolutional network wants.
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only: no warnings about unused initialisers
    try:
        return ort.InferenceSession(str(path), options, providers=['CPUExecutionProvider'])
    except Exception as error:  # noqa: BLE001  onnxruntime raises its own untyped errors
        message = str(error).strip().splitlines()[-1] if str(error).strip() else ''
        raise ValueError(f'{path}: ONNX Runtime cannot load the model: '
                         f'{type(error).__name__}: {message}') from None
