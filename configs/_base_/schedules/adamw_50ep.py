# 50 epochs of AdamW: linear warm-up, then poly decay (MMSeg's SegFormer recipe).
# ARTeFACT's 418 images split 70/15/15 leave ~292 training images: at batch 4 that is
# 292 / 4 = 73 iterations per epoch, 73 * 50 = 3650 iterations. Validation and checkpoints
# every 5 epochs (365 iterations); the best checkpoint by validation mIoU is kept.
max_iters = 3650
interval = 365
warmup_iters = 365  # 5 epochs
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=6e-5, betas=(0.9, 0.999), weight_decay=0.01),
    # As MMSeg's SegFormer configs: the randomly initialised heads learn 10x faster than the
    # pretrained backbone, and norms, position embeddings and relative position tables
    # (Swin, MaxViT, CoAtNet) are not decayed. Keys match substrings of parameter names.
    paramwise_cfg=dict(
        custom_keys={
            'head': dict(lr_mult=10.0),
            'norm': dict(decay_mult=0.0),
            'pos_block': dict(decay_mult=0.0),
            'relative_position_bias_table': dict(decay_mult=0.0),
        }))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=warmup_iters),
    dict(type='PolyLR', eta_min=0.0, power=1.0, by_epoch=False, begin=warmup_iters,
         end=max_iters),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=interval)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='AtomicCheckpointHook', by_epoch=False, interval=interval, max_keep_ckpts=2,
                    save_best='mIoU', rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # Checkpoints load with torch's safe weights_only unpickler (log history as plain data).
    safe_checkpoint=dict(type='SafeCheckpointHook'),
    # Dropout seeded from (seed, iteration): --resume ends as an uninterrupted run would.
    iteration_seed=dict(type='IterationSeedHook'),
    # metrics.json records the seed, config hash, package versions and split file hashes.
    run_provenance=dict(type='RunProvenanceHook'),
    visualization=dict(type='SegVisualizationHook'))
