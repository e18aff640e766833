# The DeepLabV3+ head of models/deeplabv3plus_*.py: ASPP on the backbone's stride-32 level and
# the decoder's skip connection from the stride-4 level. Each model sets the channels of its
# backbone's levels (in_channels, c1_in_channels) and the norm_cfg of its upernet_* base.
deeplabv3plus_head = dict(
    type='DepthwiseSeparableASPPHead',
    in_index=3,
    channels=512,
    # The DeepLabV3+ paper's rates (6, 12, 18) are for stride 16; at stride 32 they halve.
    # MMSeg's (12, 24, 36) assume a dilated ResNet at stride 8 and would see mostly padding
    # on the 8 x 8 to 12 x 12 maps of 256-384 px crops.
    dilations=(1, 3, 6, 9),
    c1_channels=48,
    dropout_ratio=0.1,
    num_classes=16,
    align_corners=False,
    loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0,
                     avg_non_ignore=True))
