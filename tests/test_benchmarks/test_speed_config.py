from mmengine.config import Config

from mmseg_heritage.benchmarks.speed_config import sliding_window, speed_config

from helpers import REPO


def test_speed_config_has_random_weights_and_fits_fixed_size_models(tmp_path):
    cfg = speed_config(Config.fromfile(REPO / 'configs/poc59/upernet_maxvit_tiny_384.py'), 64)
    model = cfg.model
    assert model.backbone.img_size == (64, 64)
    assert model.data_preprocessor.size == (64, 64)
    assert model.data_preprocessor.test_cfg.size == (64, 64)
    assert model.test_cfg.crop_size == (64, 64) and model.test_cfg.stride == (42, 42)
    assert sliding_window(model.test_cfg, 64) == dict(
        mode='slide', crop_size=(64, 64), stride=(42, 42))

    weights = tmp_path / 'class_weights.json'
    weights.write_text('[1.0, 2.0]')
    pretrained = Config(dict(model=dict(
        pretrained='/weights/model.safetensors', data_preprocessor=dict(size_divisor=32),
        backbone=dict(type='X', init_cfg=dict(type='Pretrained', checkpoint='x.pth')),
        decode_head=dict(loss_decode=dict(class_weight=str(weights))),
        auxiliary_head=dict(loss_decode=dict(class_weight=str(tmp_path / 'absent.json'))),
        test_cfg=dict(mode='whole'))))
    model = speed_config(pretrained, 384).model
    assert model.pretrained is None and model.backbone.init_cfg is None
    # A weights file that is not there gives uniform weights; one that is stays.
    assert model.decode_head.loss_decode.class_weight == str(weights)
    assert model.auxiliary_head.loss_decode.class_weight is None
    assert sliding_window(model.test_cfg, 384) == dict(
        mode='slide', crop_size=(384, 384), stride=(256, 256))
