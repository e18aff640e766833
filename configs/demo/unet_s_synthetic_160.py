# CPU demo: a small UNet trained from scratch for a few minutes on the synthetic dataset
# (160 x 160 px). No pretrained weights are used. `make demo` runs it end to end.
_base_ = [
    '../_base_/models/unet_s.py', '../_base_/datasets/synthetic_artefact.py',
    '../_base_/default_runtime.py', '../_base_/schedules/demo_cpu.py'
]
# Clean covers ~94 % of the synthetic pixels and each damage class 0.04-2.5 %: with plain
# cross-entropy the model learns only Clean and the large light leaks. The class-weighted
# Dice + CE loss (log weights from the dataset's class_weights.json, written by the converter)
# makes every damage class count. The weights file follows the dataset's data_root.
model = dict(
    decode_head=dict(loss_decode=dict(
        _delete_=True, type='ClassWeightedDiceCELoss',
        class_weight={{_base_.class_weights_file}})))
