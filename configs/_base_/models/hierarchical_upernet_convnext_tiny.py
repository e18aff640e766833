# UPerNet on a timm ConvNeXt-Tiny with the hierarchical head: one shared neck, classifiers for
# damage vs clean (2), damage groups (5) and damage types (16), each level with its own
# weighted Dice + cross-entropy. Predictions are the 16 fine classes, so stock test.py, slide
# inference and MMSegInferencer work unchanged. Schedule the level weights with
# HierarchyCurriculumHook (see mmseg_heritage/engine/hooks/hierarchy_curriculum_hook.py).
# Backbone, normalisation, preprocessing and pretrained weights (model.pretrained, a local
# path; nothing is downloaded) as in upernet_convnext_tiny.py.
_base_ = ['./upernet_convnext_tiny.py']
# Experiment configs set class_weight (e.g. the dataset's class_weights.json) per level.
loss = dict(type='ClassWeightedDiceCELoss', ce_weight=1.0, dice_weight=1.0, loss_weight=1.0)
model = dict(
    decode_head=dict(
        type='HierarchicalUPerHead',
        coarse_groups=None,  # DEFAULT_COARSE_GROUPS of mmseg_heritage/class_names.py
        level_weights=dict(binary=1.0, coarse=1.0, fine=1.0),
        consistent_prediction=False,
        loss_decode=dict(_delete_=True, **loss),  # the fine level
        loss_coarse=loss,
        loss_binary=loss),
    # The binary and coarse levels already supervise the shared features deeply.
    auxiliary_head=None)
