# A few minutes of training on 2 CPU cores.
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4))
param_scheduler = [dict(type='PolyLR', eta_min=1e-5, power=0.9, begin=0, end=600, by_epoch=False)]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=600, val_interval=200)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='AtomicCheckpointHook', by_epoch=False, interval=200, max_keep_ckpts=2,
                    save_best='mIoU'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # Checkpoints load with torch's safe weights_only unpickler (log history as plain data).
    safe_checkpoint=dict(type='SafeCheckpointHook'),
    # Dropout seeded from (seed, iteration): --resume ends as an uninterrupted run would.
    iteration_seed=dict(type='IterationSeedHook'),
    # metrics.json records the seed, config hash, package versions and split file hashes.
    run_provenance=dict(type='RunProvenanceHook'),
    visualization=dict(type='SegVisualizationHook'))
randomness = dict(seed=0)
