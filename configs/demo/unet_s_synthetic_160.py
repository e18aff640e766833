# CPU demo: a small UNet trained from scratch for a few minutes on the synthetic dataset
# (160 x 160 px). No pretrained weights are used. `make demo` runs it end to end.
_base_ = [
    '../_base_/models/unet_s.py', '../_base_/datasets/synthetic_artefact.py',
    '../_base_/default_runtime.py', '../_base_/schedules/demo_cpu.py'
]
# Clean covers ~94 % of the synthetic pixels and each damage class 0.04-2.5 %: with plain
# cross-entropy the model learns only Clean and the large light leaks. Online hard example
# mining trains on the pixels the model still gets wrong, which are mostly the rare damage.
# (mmseg 1.2.2's CrossEntropyLoss cannot take class weights together with ignored pixels.)
model = dict(
    decode_head=dict(sampler=dict(type='OHEMPixelSampler', thresh=0.7, min_kept=20000)))
