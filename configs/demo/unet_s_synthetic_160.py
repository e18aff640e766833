# CPU demo: a small UNet trained from scratch for a few minutes on the synthetic dataset
# (160 x 160 px). No pretrained weights are used. `make demo` runs it end to end.
_base_ = [
    '../_base_/models/unet_s.py', '../_base_/datasets/synthetic_artefact.py',
    '../_base_/default_runtime.py', '../_base_/schedules/demo_cpu.py'
]
