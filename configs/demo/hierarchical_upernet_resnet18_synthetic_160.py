# CPU demo of the hierarchical model: UPerNet with the hierarchical head (damage vs clean,
# damage groups, damage types) on a timm ResNet-18 trained from scratch, 160 x 160 px synthetic
# data, 600 iterations, class-weighted Dice + CE and the curriculum of configs/poc55/.
# No pretrained weights (model.pretrained=None); nothing is downloaded.
_base_ = [
    '../_base_/models/hierarchical_upernet_convnext_tiny.py',
    '../_base_/datasets/synthetic_artefact.py', '../_base_/default_runtime.py',
    '../_base_/schedules/demo_cpu.py'
]
pretrained_weights = None  # from scratch: not the ConvNeXt weights of the model's base
norm_cfg = dict(type='BN', requires_grad=True)  # also for distributed runs on CPU processes
model = dict(
    pretrained=None,
    backbone=dict(_delete_=True, type='TimmPyramidBackbone', model_name='resnet18'),
    decode_head=dict(
        in_channels=[64, 128, 256, 512],
        channels=64,
        norm_cfg=norm_cfg,
        # The fine level's weights come from the dataset; another data_root needs its own file.
        loss_decode=dict(class_weight={{_base_.class_weights_file}})))
custom_hooks = [
    dict(
        type='HierarchyCurriculumHook',
        by_epoch=False,
        milestones=[
            dict(begin=0, weights=dict(binary=1.0, coarse=1.0, fine=0.2)),
            dict(begin=200, weights=dict(binary=0.5, coarse=0.5, fine=1.0)),
            dict(begin=400, weights=dict(binary=0.2, coarse=0.2, fine=1.0)),
        ]),
]
