"""int8 quantisation: static, per channel, calibrated on a split's tiles as inference cuts them;
and the scores that measure what it costs."""
import numpy as np
import onnx
import pytest
import torch
from mmengine.config import Config
from mmseg.registry import MODELS

from mmseg_heritage.apis import OnnxDamageInferencer, read_image, read_metadata
from mmseg_heritage.class_names import CLASSES, PALETTE
from mmseg_heritage.datasets.preparation import split_files
from mmseg_heritage.deployment import calibration_tiles, export_onnx, quantize_int8, score_backends

from helpers import DEMO_CONFIG


@pytest.fixture(scope='module')
def fp32_model(tmp_path_factory):
    """The demo UNet with random weights, exported."""
    folder = tmp_path_factory.mktemp('int8')
    torch.manual_seed(0)
    checkpoint = folder / 'unet.pth'
    torch.save(dict(meta=dict(dataset_meta=dict(classes=CLASSES, palette=PALETTE)),
                    state_dict=MODELS.build(Config.fromfile(DEMO_CONFIG).model).state_dict()),
               checkpoint)
    export_onnx(DEMO_CONFIG, checkpoint, folder / 'model.fp32.onnx', check_size=(32, 32))
    return folder / 'model.fp32.onnx'


def test_calibration_tiles_are_preprocessed_as_inference_preprocesses_them(fp32_model,
                                                                           synthetic_root):
    inferencer = OnnxDamageInferencer(fp32_model, tile_size=(32, 32), tile_stride=(32, 32))
    images = [image for image, _ in split_files(synthetic_root, 'train')]
    tiles = list(calibration_tiles(inferencer, images, max_tiles=5))
    assert len(tiles) == 5  # 4 tiles of the first 64 px image, 1 of the second
    first = read_image(images[0])  # BGR; the demo normalises RGB
    mean, std = np.array([123.675, 116.28, 103.53]), np.array([58.395, 57.12, 57.375])
    expected = (first[:32, 32:64, ::-1] - mean) / std  # the second tile
    assert tiles[1].shape == (1, 3, 32, 32) and tiles[1].dtype == np.float32
    np.testing.assert_allclose(tiles[1][0].transpose(1, 2, 0), expected, atol=1e-5)


def test_int8_is_static_per_channel_qdq_with_the_metadata(fp32_model, synthetic_root,
                                                          tmp_path):
    images = [image for image, _ in split_files(synthetic_root, 'train')]
    out = tmp_path / 'model.onnx'
    record = quantize_int8(fp32_model, out, images, max_tiles=3,
                           calibration=dict(split='train'))
    assert record['tiles'] == 3
    graph = onnx.load(str(out))
    initialisers = {i.name: i for i in graph.graph.initializer}
    weights = [node for node in graph.graph.node if node.op_type == 'DequantizeLinear'
               and initialisers.get(node.input[0]) is not None
               and initialisers[node.input[0]].data_type == onnx.TensorProto.INT8]
    assert weights  # weights stored as int8
    scales = [onnx.numpy_helper.to_array(initialisers[node.input[1]]) for node in weights]
    assert all(scale.ndim == 1 and scale.size > 1 for scale in scales)  # one per channel
    # The first convolution (it reads the image) and the classifier stay float.
    convolutions = [node for node in graph.graph.node if node.op_type == 'Conv']
    quantised = {node.output[0] for node in graph.graph.node
                 if node.op_type == 'DequantizeLinear'}
    in_float = [node.name for node in convolutions if node.input[1] not in quantised]
    assert in_float == [convolutions[0].name, '/conv_seg/Conv'] == sorted(
        record['float_convolutions'])
    assert len(convolutions) > 10 and all(node.input[1] in quantised
                                          for node in convolutions[1:-1])
    metadata = read_metadata(out)
    assert metadata['precision'] == 'int8' and metadata['int8']['tiles'] == 3
    assert metadata['int8']['float_convolutions'] == record['float_convolutions']
    assert metadata['classes'] == list(CLASSES)
    labels = OnnxDamageInferencer(out).predict(read_image(images[0]))
    assert labels.shape == (64, 64) and labels.max() < len(CLASSES)


def test_backends_are_scored_as_artefact_metric_scores_a_split(fp32_model, synthetic_root):
    files = split_files(synthetic_root, 'test')[:2]
    fp32 = OnnxDamageInferencer(fp32_model)
    scores = score_backends(dict(first=fp32, again=fp32), files)
    assert scores['images'] == 2
    assert scores['again'] == dict(scores['first'], mIoU_difference=0.0)
    assert scores['first']['label_agreement'] == 1.0 and 0 <= scores['first']['mIoU'] <= 100


def test_split_files_name_what_is_missing(synthetic_root, tmp_path):
    with pytest.raises(FileNotFoundError, match='splits/holdout.txt: split file not found'):
        split_files(synthetic_root, 'holdout')
    (tmp_path / 'splits').mkdir()
    (tmp_path / 'splits/test.txt').write_text('ghost\n')
    with pytest.raises(FileNotFoundError, match="no image of 'ghost'"):
        split_files(tmp_path, 'test')
