"""An exported model's metadata round-trips, and files without it are refused by name."""
import json

import onnx
import pytest
from onnx import TensorProto, helper

from mmseg_heritage.apis import read_metadata, write_metadata
from mmseg_heritage.apis.inference.onnx_model_file import FORMAT_KEY
from mmseg_heritage.class_names import CLASSES, PALETTE

METADATA = dict(
    classes=list(CLASSES), palette=[list(c) for c in PALETTE],
    data_preprocessor=dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
                           bgr_to_rgb=True, pad_val=0, seg_pad_val=255, size_divisor=32),
    test_pipeline=[dict(type='LoadImageFromFile'),
                   dict(type='Resize', scale=[1024, 768], keep_ratio=True),
                   dict(type='PackArtefactInputs')],
    test_cfg=dict(mode='slide', crop_size=[384, 384], stride=[256, 256]),
    tile_size=[384, 384], tile_stride=[256, 256], input_size=None, precision='fp32',
    source=dict(config='segformer_b3_384.py', checkpoint='best.pth'))


def tiny_model():
    """A graph of one Identity node: metadata needs no real model."""
    inputs = helper.make_tensor_value_info('inputs', TensorProto.FLOAT, ['n', 3, 'h', 'w'])
    logits = helper.make_tensor_value_info('logits', TensorProto.FLOAT, ['n', 3, 'h', 'w'])
    graph = helper.make_graph([helper.make_node('Identity', ['inputs'], ['logits'])], 'tiny',
                              [inputs], [logits])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)])


def test_metadata_round_trips(tmp_path):
    model = tiny_model()
    model.metadata_props.add(key='producer_note', value='not JSON, not ours')
    write_metadata(model, METADATA)
    write_metadata(model, dict(METADATA, precision='int8'))  # replaces, does not duplicate
    onnx.save(model, tmp_path / 'model.onnx')
    assert read_metadata(tmp_path / 'model.onnx') == dict(METADATA, precision='int8')
    keys = [prop.key for prop in model.metadata_props]
    assert len(keys) == len(set(keys)) and 'producer_note' in keys
    stored = {prop.key: prop.value for prop in model.metadata_props}
    assert json.loads(stored['classes'])[0] == 'Clean'  # plain JSON, readable by anyone


def test_incomplete_metadata_is_not_written():
    with pytest.raises(ValueError, match='lacks tile_size'):
        write_metadata(tiny_model(), {k: v for k, v in METADATA.items() if k != 'tile_size'})
    with pytest.raises(ValueError, match='unknown model metadata colours'):
        write_metadata(tiny_model(), dict(METADATA, colours=[]))


def test_files_without_our_metadata_are_refused_by_name(tmp_path):
    onnx.save(tiny_model(), tmp_path / 'plain.onnx')
    with pytest.raises(ValueError, match='plain.onnx: no mmseg_heritage metadata.*'
                       'tools/export_onnx.py'):
        read_metadata(tmp_path / 'plain.onnx')
    model = tiny_model()
    write_metadata(model, METADATA)
    next(p for p in model.metadata_props if p.key == FORMAT_KEY).value = '99'
    onnx.save(model, tmp_path / 'future.onnx')
    with pytest.raises(ValueError, match='future.onnx: metadata version 99.*export the model '
                       'again'):
        read_metadata(tmp_path / 'future.onnx')
    (tmp_path / 'broken.onnx').write_bytes(b'not a model')
    with pytest.raises(ValueError, match='broken.onnx: ONNX Runtime cannot load the model'):
        read_metadata(tmp_path / 'broken.onnx')
    with pytest.raises(FileNotFoundError, match='missing.onnx: no such model file'):
        read_metadata(tmp_path / 'missing.onnx')
