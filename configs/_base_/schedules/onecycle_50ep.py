# 50 epochs (3650 iterations, see adamw_50ep.py) of AdamW under a one-cycle policy: the
# learning rate rises from eta_max / 25 to eta_max over the first 10 % of the iterations, then
# anneals (cosine) to eta_max / 1e5. Loops, validation and checkpoint hooks (best by mIoU) as
# in adamw_50ep.py.
_base_ = ['./adamw_50ep.py']
# One-cycle sets every parameter group to the same eta_max, so lr_mult would be overridden:
# the heads get no 10x here, only the no-decay keys remain. eta_max lies between the
# backbone's and the heads' rates of adamw_50ep.py.
optim_wrapper = dict(
    paramwise_cfg=dict(
        _delete_=True,
        custom_keys={
            'norm': dict(decay_mult=0.0),
            'pos_block': dict(decay_mult=0.0),
            'relative_position_bias_table': dict(decay_mult=0.0),
        }))
param_scheduler = [
    dict(type='OneCycleLR', eta_max=2e-4, total_steps={{_base_.max_iters}}, pct_start=0.1,
         anneal_strategy='cos', div_factor=25.0, final_div_factor=4e3, by_epoch=False),
]
