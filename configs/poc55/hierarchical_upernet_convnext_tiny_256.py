# POC-5.5: hierarchical UPerNet (damage vs clean, damage groups, damage types) on ConvNeXt-Tiny,
# 256 x 256 crops, batch 4, 50 epochs of AdamW, weighted Dice + cross-entropy at every level and a
# curriculum from the coarse levels to the fine one. Needs ARTeFACT converted to data/artefact (see
# configs/_base_/datasets/artefact_384.py). Pretrained weights: timm's convnext_tiny.fb_in22k
# model.safetensors (see configs/_base_/models/upernet_convnext_tiny.py), fetched by
# tools/fetch_weights.py and given as a local path:
# --cfg-options model.pretrained=/path/model.safetensors. Nothing is downloaded.
_base_ = [
    '../_base_/models/hierarchical_upernet_convnext_tiny.py',
    '../_base_/datasets/artefact_256.py', '../_base_/default_runtime.py',
    '../_base_/schedules/adamw_50ep.py'
]
model = dict(
    decode_head=dict(
        # class_weights.json weighs the 16 fine classes; the binary (2) and coarse (5) levels
        # are far less imbalanced and keep their unweighted Dice + CE from the base.
        loss_decode=dict(class_weight={{_base_.class_weights_file}})))
# Level weights by iteration (3650 in all), interpolated between milestones: first learn
# where damage is and its group, then hand the weight over to the 16 damage types.
custom_hooks = [
    dict(
        type='HierarchyCurriculumHook',
        by_epoch=False,
        milestones=[
            dict(begin=0, weights=dict(binary=1.0, coarse=1.0, fine=0.2)),
            dict(begin=1460, weights=dict(binary=0.5, coarse=0.5, fine=1.0)),  # epoch 20
            dict(begin=2920, weights=dict(binary=0.2, coarse=0.2, fine=1.0)),  # epoch 40
        ]),
]
