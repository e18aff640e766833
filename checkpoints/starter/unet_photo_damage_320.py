crop_size = (
    320,
    320,
)
custom_hooks = []
custom_imports = dict(
    allow_failed_imports=False, imports=[
        'mmseg_heritage',
    ])
damage_bank = 'data/starter/damage_bank'
data_root = 'data/starter'
dataset_card = dict(
    licence='other',
    name='synthetic scans of photographs (the starter recipe)',
    note=
    'The film damage and old photographs are MIT-licensed; the photographs of scikit-image, scikit-learn, matplotlib and the Debian wallpapers keep their own licences.'
)
default_hooks = dict(
    checkpoint=dict(
        by_epoch=False,
        interval=400,
        max_keep_ckpts=2,
        save_best='mIoU',
        type='AtomicCheckpointHook'),
    iteration_seed=dict(type='IterationSeedHook'),
    logger=dict(interval=50, log_metric_by_epoch=False, type='LoggerHook'),
    param_scheduler=dict(type='ParamSchedulerHook'),
    run_provenance=dict(type='RunProvenanceHook'),
    safe_checkpoint=dict(type='SafeCheckpointHook'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    timer=dict(type='IterTimerHook'),
    visualization=dict(type='SegVisualizationHook'))
default_scope = 'mmseg'
env_cfg = dict(
    cudnn_benchmark=False,
    dist_cfg=dict(backend='nccl'),
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0))
load_from = None
log_level = 'INFO'
log_processor = dict(by_epoch=False)
max_iters = 1200
model = dict(
    backbone=dict(
        act_cfg=dict(type='ReLU'),
        base_channels=16,
        conv_cfg=None,
        dec_dilations=(
            1,
            1,
            1,
            1,
        ),
        dec_num_convs=(
            2,
            2,
            2,
            2,
        ),
        downsamples=(
            True,
            True,
            True,
            True,
        ),
        enc_dilations=(
            1,
            1,
            1,
            1,
            1,
        ),
        enc_num_convs=(
            2,
            2,
            2,
            2,
            2,
        ),
        in_channels=3,
        norm_cfg=dict(requires_grad=True, type='BN'),
        norm_eval=False,
        num_stages=5,
        strides=(
            1,
            1,
            1,
            1,
            1,
        ),
        type='UNet',
        upsample_cfg=dict(type='InterpConv'),
        with_cp=False),
    data_preprocessor=dict(
        bgr_to_rgb=True,
        mean=[
            123.675,
            116.28,
            103.53,
        ],
        pad_val=0,
        seg_pad_val=255,
        size_divisor=16,
        std=[
            58.395,
            57.12,
            57.375,
        ],
        test_cfg=dict(size_divisor=16),
        type='SegDataPreProcessor'),
    decode_head=dict(
        align_corners=False,
        channels=16,
        concat_input=False,
        damage_threshold=0.305,
        dropout_ratio=0.1,
        in_channels=16,
        in_index=4,
        loss_decode=dict(class_weight=None, type='ClassWeightedDiceCELoss'),
        norm_cfg=dict(requires_grad=True, type='BN'),
        num_classes=16,
        num_convs=1,
        type='DamageFirstFCNHead'),
    pretrained=None,
    test_cfg=dict(mode='whole'),
    train_cfg=dict(),
    type='EncoderDecoder')
norm_cfg = dict(requires_grad=True, type='BN')
optim_wrapper = dict(
    optimizer=dict(lr=0.002, type='AdamW', weight_decay=0.0001),
    type='BF16OptimWrapper')
param_scheduler = [
    dict(begin=0, by_epoch=False, end=100, start_factor=0.1, type='LinearLR'),
    dict(
        begin=100,
        by_epoch=False,
        end=1200,
        eta_min=1e-05,
        power=0.9,
        type='PolyLR'),
]
photo_scans = dict(
    clean_share=0.3,
    content=[
        'resources/real_photos/old',
        'skimage',
        'sklearn',
        'matplotlib',
        '/usr/share/wallpapers/*/contents/images*/*',
        '/usr/share/backgrounds/mate/nature/*',
    ],
    cutouts=[
        'resources/real_damage',
    ],
    evaluation_root='data/starter/evaluation',
    num_images=1500,
    seed=0,
    size=512)
randomness = dict(seed=0)
resume = False
test_cfg = dict(type='TestLoop')
test_dataloader = dict(
    batch_size=1,
    dataset=dict(
        ann_file='splits/test.txt',
        data_root='data/starter',
        img_suffix='.jpg',
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadArtefactAnnotations'),
            dict(type='PackArtefactInputs'),
        ],
        type='ArtefactDataset'),
    num_workers=1,
    persistent_workers=True,
    sampler=dict(shuffle=False, type='DefaultSampler'))
test_evaluator = dict(type='ArtefactMetric')
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadArtefactAnnotations'),
    dict(type='PackArtefactInputs'),
]
train_cfg = dict(max_iters=1200, type='IterBasedTrainLoop', val_interval=400)
train_dataloader = dict(
    batch_size=8,
    dataset=dict(
        ann_file='splits/train.txt',
        data_root='data/starter',
        img_suffix='.jpg',
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadArtefactAnnotations'),
            dict(
                bank='data/starter/damage_bank',
                num_instances=(
                    1,
                    3,
                ),
                prob=0.5,
                scale=(
                    0.3,
                    1.2,
                ),
                type='DamageCopyPaste'),
            dict(crop_size=(
                320,
                320,
            ), type='RandomCrop'),
            dict(
                direction=[
                    'horizontal',
                    'vertical',
                ],
                prob=0.5,
                type='RandomFlip'),
            dict(
                contrast_range=(
                    0.7,
                    1.3,
                ),
                hue_delta=10,
                saturation_range=(
                    0.6,
                    1.4,
                ),
                type='PhotoMetricDistortion'),
            dict(type='PackArtefactInputs'),
        ],
        type='ArtefactDataset'),
    num_workers=2,
    persistent_workers=True,
    sampler=dict(shuffle=True, type='InfiniteSampler'))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadArtefactAnnotations'),
    dict(
        bank='data/starter/damage_bank',
        num_instances=(
            1,
            3,
        ),
        prob=0.5,
        scale=(
            0.3,
            1.2,
        ),
        type='DamageCopyPaste'),
    dict(crop_size=(
        320,
        320,
    ), type='RandomCrop'),
    dict(direction=[
        'horizontal',
        'vertical',
    ], prob=0.5, type='RandomFlip'),
    dict(
        contrast_range=(
            0.7,
            1.3,
        ),
        hue_delta=10,
        saturation_range=(
            0.6,
            1.4,
        ),
        type='PhotoMetricDistortion'),
    dict(type='PackArtefactInputs'),
]
tta_model = dict(type='SegTTAModel')
val_cfg = dict(type='ValLoop')
val_dataloader = dict(
    batch_size=1,
    dataset=dict(
        ann_file='splits/val.txt',
        data_root='data/starter',
        img_suffix='.jpg',
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadArtefactAnnotations'),
            dict(type='PackArtefactInputs'),
        ],
        type='ArtefactDataset'),
    num_workers=1,
    persistent_workers=True,
    sampler=dict(shuffle=False, type='DefaultSampler'))
val_evaluator = dict(type='ArtefactMetric')
vis_backends = [
    dict(type='LocalVisBackend'),
    dict(type='TensorboardVisBackend'),
]
visualizer = dict(
    name='visualizer',
    type='ArtefactVisualizer',
    vis_backends=[
        dict(type='LocalVisBackend'),
        dict(type='TensorboardVisBackend'),
    ])
work_dir = 'work_dirs/starter'
