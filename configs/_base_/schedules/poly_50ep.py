# 50 epochs (3650 iterations, see adamw_50ep.py) of AdamW with poly decay from the first
# iteration, no warm-up: the simpler schedule of the earlier project's runs. Loops, validation
# and checkpoint hooks (best by mIoU) as in adamw_50ep.py.
_base_ = ['./adamw_50ep.py']
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-6, power=0.9, by_epoch=False, begin=0,
         end={{_base_.max_iters}}),
]
