class_weights_file = 'data/starter/class_weights.json'
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
    'The film damage and old photographs are MIT-licensed; the photographs of scikit-image, scikit-learn, matplotlib and the Debian wallpapers, and the Debian fonts, keep their own licences.'
)
default_hooks = dict(
    checkpoint=dict(
        by_epoch=False,
        interval=500,
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
        model_name='tf_efficientnet_lite0',
        out_strides=(
            1,
            2,
            4,
            8,
            16,
            32,
        ),
        type='TimmPyramidBackbone'),
    data_preprocessor=dict(
        bgr_to_rgb=True,
        mean=[
            127.5,
            127.5,
            127.5,
        ],
        pad_val=0,
        seg_pad_val=255,
        size_divisor=32,
        std=[
            127.5,
            127.5,
            127.5,
        ],
        test_cfg=dict(size_divisor=32),
        type='SegDataPreProcessor'),
    decode_head=dict(
        align_corners=False,
        channels=16,
        damage_threshold=0.66,
        decoder_channels=(
            64,
            48,
            32,
            24,
            16,
        ),
        dropout_ratio=0.0,
        in_channels=[
            3,
            16,
            24,
            40,
            112,
            320,
        ],
        in_index=[
            0,
            1,
            2,
            3,
            4,
            5,
        ],
        kind_bias=[
            1.0,
            0.0,
            1.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.25,
            -0.5,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
        ],
        loss_decode=dict(
            class_weight='data/starter/class_weights.json',
            type='ClassWeightedDiceCELoss',
            weighting='sqrt_log'),
        norm_cfg=dict(requires_grad=True, type='BN'),
        num_classes=16,
        type='DamageFirstUNetDecoderHead'),
    pretrained='package:efficientnet-lite0',
    test_cfg=dict(mode='whole'),
    train_cfg=dict(),
    type='EncoderDecoder')
norm_cfg = dict(requires_grad=True, type='BN')
optim_wrapper = dict(
    optimizer=dict(lr=0.002, type='AdamW', weight_decay=0.0001),
    paramwise_cfg=dict(custom_keys=dict(backbone=dict(lr_mult=0.1))),
    type='OptimWrapper')
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
    clean_content_share=0.5,
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
    fonts=[
        'matplotlib',
        '/usr/share/fonts/truetype/breip',
        '/usr/share/fonts/truetype/charis',
        '/usr/share/fonts/truetype/dejavu',
        '/usr/share/fonts/truetype/euterpe',
        '/usr/share/fonts/truetype/fifthhorseman',
        '/usr/share/fonts/truetype/freefont',
        '/usr/share/fonts/truetype/humor-sans',
        '/usr/share/fonts/truetype/lato',
        '/usr/share/fonts/truetype/liberation2',
        '/usr/share/fonts/truetype/open-sans',
        '/usr/share/fonts/truetype/roboto',
        '/usr/share/fonts/opentype/cantarell',
        '/usr/share/fonts/opentype/comic-neue',
        '/usr/share/fonts/opentype/dancingscript',
        '/usr/share/fonts/opentype/linux-libertine',
        '/usr/share/fonts/opentype/urw-base35',
    ],
    num_images=2000,
    page_share=0.12,
    seed=0,
    size=512)
pretrained_weights = 'package:efficientnet-lite0'
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
train_cfg = dict(max_iters=1200, type='IterBasedTrainLoop', val_interval=500)
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
            dict(max_drawings=2, prob=0.5, type='ThinDamagePaste'),
            dict(
                class_weights='data/starter/class_weights.json',
                crop_size=(
                    320,
                    320,
                ),
                prob=0.5,
                type='RareClassCrop',
                weighting='sqrt_log'),
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
    dict(max_drawings=2, prob=0.5, type='ThinDamagePaste'),
    dict(
        class_weights='data/starter/class_weights.json',
        crop_size=(
            320,
            320,
        ),
        prob=0.5,
        type='RareClassCrop',
        weighting='sqrt_log'),
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
work_dir = 'work_dirs/starter_v4'
