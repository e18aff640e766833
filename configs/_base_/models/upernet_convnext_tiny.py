# UPerNet on a timm ConvNeXt-Tiny pyramid (strides 4, 8, 16, 32); any input size works.
# Pretrained weights: timm's `convnext_tiny.fb_in22k` from the Hugging Face hub
# (pretrained_weights below; `convnext_tiny.fb_in1k` fits too), given as a local path:
# model.pretrained='/path/model.safetensors'. `python tools/fetch_weights.py CONFIG` downloads
# it when asked and prints that option. MMPretrain ConvNeXt checkpoints load too (see
# TimmPyramidBackbone). Training never downloads anything.
pretrained_weights = ('https://huggingface.co/timm/convnext_tiny.fb_in22k/'
                      'resolve/main/model.safetensors')
#
# SyncBN as in MMSeg's configs: multi-GPU runs normalise over all GPUs' images, and it is safe
# on one process (CPU or one GPU): MMEngine's runner turns SyncBN into BN when not distributed,
# and torch's SyncBatchNorm falls back to plain batch norm without a process group (models built
# by mmseg.apis.init_model or by hand). Only a distributed run on CPUs (gloo) needs type='BN'.
norm_cfg = dict(type='SyncBN', requires_grad=True)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    # Stride-exact pyramids: pad training batches and test images to multiples of 32 (MMSeg
    # crops the padding off predictions). A config that pads to a fixed `size` instead must
    # also set size_divisor=None: the preprocessor takes only one of them.
    size_divisor=32,
    test_cfg=dict(size_divisor=32))
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    # Local path of the backbone's pretrained weights (see the top); None trains from scratch.
    pretrained=None,
    backbone=dict(
        type='TimmPyramidBackbone',
        model_name='convnext_tiny',
        drop_path_rate=0.4),  # MMSeg's ADE20K recipe for ConvNeXt-T
    decode_head=dict(
        type='UPerHead',
        # TimmPyramidBackbone(...).out_channels; tests/test_configs checks them.
        in_channels=[96, 192, 384, 768],
        in_index=[0, 1, 2, 3],
        pool_scales=(1, 2, 3, 6),
        channels=512,
        dropout_ratio=0.1,
        num_classes=16,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0,
                         avg_non_ignore=True)),
    auxiliary_head=dict(
        type='FCNHead',
        in_channels=384,  # the stride-16 level
        in_index=2,
        channels=256,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=16,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4,
                         avg_non_ignore=True)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
