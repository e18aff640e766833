# SegFormer-B3: MMSeg's own Mix Transformer B3 encoder and all-MLP SegformerHead.
# Pretrained weights: MMSeg's ImageNet-1k MiT-B3 (pretrained_weights below; its name ends in
# the first hex digits of its SHA-256), given as a local path:
# model.pretrained='/path/mit_b3_20220624-13b1141c.pth'. `python tools/fetch_weights.py CONFIG`
# downloads and checks it when asked (NVlabs' original mit_b3.pth needs MMSeg's
# tools/model_converters/mit2mmseg.py first). Training never downloads anything. Any input size
# works.
pretrained_weights = ('https://download.openmmlab.com/mmsegmentation/v0.5/'
                      'pretrain/segformer/mit_b3_20220624-13b1141c.pth')
# SyncBN: see upernet_convnext_tiny.py (safe on one process, synchronised across GPUs).
norm_cfg = dict(type='SyncBN', requires_grad=True)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    # Pad to multiples of 32 (the encoder's stride); a config that pads to a fixed `size`
    # instead must also set size_divisor=None.
    size_divisor=32,
    test_cfg=dict(size_divisor=32))
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    # Local path of the encoder's pretrained weights (see the top); None trains from scratch.
    pretrained=None,
    backbone=dict(
        type='MixVisionTransformer',
        in_channels=3,
        embed_dims=64,
        num_stages=4,
        num_layers=[3, 4, 18, 3],
        num_heads=[1, 2, 5, 8],
        patch_sizes=[7, 3, 3, 3],
        sr_ratios=[8, 4, 2, 1],
        out_indices=(0, 1, 2, 3),
        mlp_ratio=4,
        qkv_bias=True,
        drop_rate=0.0,
        attn_drop_rate=0.0,
        drop_path_rate=0.1),
    decode_head=dict(
        type='SegformerHead',
        in_channels=[64, 128, 320, 512],  # embed_dims * num_heads per stage
        in_index=[0, 1, 2, 3],
        channels=256,
        dropout_ratio=0.1,
        num_classes=16,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0,
                         avg_non_ignore=True)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
