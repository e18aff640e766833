# POC-5.9 (the seed project's MaxViT-Tiny row): UPerNet on MaxViT-Tiny, 384 x 384 crops, batch 4,
# 50 epochs of AdamW, class-weighted Dice + cross-entropy. Needs ARTeFACT converted to data/artefact
# (see configs/_base_/datasets/artefact_384.py). Pretrained weights: timm's maxvit_tiny_tf_384.in1k
# model.safetensors (native at 384; see configs/_base_/models/upernet_maxvit_tiny.py), fetched by
# tools/fetch_weights.py and given as a local path:
# --cfg-options model.pretrained=/path/model.safetensors. Nothing is downloaded.
_base_ = [
    '../_base_/models/upernet_maxvit_tiny.py', '../_base_/datasets/artefact_384.py',
    '../_base_/default_runtime.py', '../_base_/schedules/adamw_50ep.py'
]
# MaxViT is built for one input size: all four size settings move to 384 together.
crop_size = (384, 384)
loss = dict(type='ClassWeightedDiceCELoss', class_weight={{_base_.class_weights_file}},
            ce_weight=1.0, dice_weight=1.0, loss_weight=1.0)
model = dict(
    data_preprocessor=dict(size=crop_size, test_cfg=dict(size=crop_size)),
    backbone=dict(img_size=crop_size),
    test_cfg=dict(crop_size=crop_size, stride=(256, 256)),
    decode_head=dict(loss_decode=dict(_delete_=True, **loss)),
    # Same class weighting on the auxiliary head: plain cross-entropy would favour Clean.
    auxiliary_head=dict(loss_decode=dict(_delete_=True, **dict(loss, loss_weight=0.4))))
