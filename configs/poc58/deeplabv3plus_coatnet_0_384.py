# POC-5.8: DeepLabV3+ on CoAtNet-0, 384 x 384 crops, batch 4, 50 epochs of AdamW, class-weighted
# Dice + cross-entropy. Needs ARTeFACT converted to data/artefact (see
# configs/_base_/datasets/artefact_384.py). Pretrained weights: timm's coatnet_0_rw_224.sw_in1k
# model.safetensors (see configs/_base_/models/upernet_coatnet_0.py), fetched by
# tools/fetch_weights.py and given as a local path:
# --cfg-options model.pretrained=/path/model.safetensors. Nothing is downloaded.
_base_ = [
    '../_base_/models/deeplabv3plus_coatnet_0.py', '../_base_/datasets/artefact_384.py',
    '../_base_/default_runtime.py', '../_base_/schedules/adamw_50ep.py'
]
# CoAtNet is built for one input size: all four size settings move to 384 together.
crop_size = (384, 384)
loss = dict(type='ClassWeightedDiceCELoss', class_weight={{_base_.class_weights_file}},
            ce_weight=1.0, dice_weight=1.0, loss_weight=1.0)
model = dict(
    data_preprocessor=dict(size=crop_size, test_cfg=dict(size=crop_size)),
    backbone=dict(img_size=crop_size),
    test_cfg=dict(crop_size=crop_size, stride=(256, 256)),
    decode_head=dict(loss_decode=dict(_delete_=True, **loss)),
    # The auxiliary FCN head (stride-16 level, which the ASPP on stride 32 reads only through
    # the backbone) keeps deep supervision but with the same class weighting: plain
    # cross-entropy there would pull the shared features back towards Clean.
    auxiliary_head=dict(loss_decode=dict(_delete_=True, **dict(loss, loss_weight=0.4))))
