# POC-5.9 (the seed project's best row, SegFormer-B3): MMSeg's MiT-B3 encoder and SegformerHead,
# 384 x 384 crops, batch 4, 50 epochs of AdamW (MMSeg's SegFormer recipe), class-weighted Dice +
# cross-entropy. Needs ARTeFACT converted to data/artefact (see
# configs/_base_/datasets/artefact_384.py). Pretrained weights: MMSeg's ImageNet-1k MiT-B3
# (mit_b3_20220624-13b1141c.pth, see configs/_base_/models/segformer_mit_b3.py), fetched by
# tools/fetch_weights.py and given as a local path: --cfg-options model.pretrained=/path/mit_b3.pth.
# Nothing is downloaded.
_base_ = [
    '../_base_/models/segformer_mit_b3.py', '../_base_/datasets/artefact_384.py',
    '../_base_/default_runtime.py', '../_base_/schedules/adamw_50ep.py'
]
model = dict(
    decode_head=dict(
        loss_decode=dict(
            _delete_=True,
            type='ClassWeightedDiceCELoss',
            class_weight={{_base_.class_weights_file}},
            ce_weight=1.0,
            dice_weight=1.0,
            loss_weight=1.0)))
