# DeepLabV3+ with the backbone, preprocessing and inference of
# upernet_maxvit_tiny.py (pretrained weights: see there).
_base_ = ['./upernet_maxvit_tiny.py']
model = dict(
    decode_head=dict(
        _delete_=True,
        type='DepthwiseSeparableASPPHead',
        # TimmPyramidBackbone(...).out_channels; tests/test_models/test_configs checks them.
        in_channels=512,  # ASPP on the stride-32 level
        in_index=3,
        channels=512,
        # The DeepLabV3+ paper's rates (6, 12, 18) are for stride 16; at stride 32 they halve.
        # MMSeg's (12, 24, 36) assume a dilated ResNet at stride 8 and would see mostly padding
        # on the 8 x 8 to 12 x 12 maps of 256-384 px crops.
        dilations=(1, 3, 6, 9),
        c1_in_channels=64,  # the stride-4 level, for the decoder's skip connection
        c1_channels=48,
        dropout_ratio=0.1,
        num_classes=16,
        norm_cfg={{_base_.norm_cfg}},
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0,
                         avg_non_ignore=True)))
