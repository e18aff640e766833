# ARTeFACT at 384 x 384 crops, in the layout written by
#   python tools/dataset_converters/artefact.py path/to/shards -o data/artefact --max-long-side 1024
# (images/, annotations/, splits/{train,val,test}.txt, class_weights.json). The originals run to
# thousands of pixels on a side (one is 12288 x 10860): convert with --max-long-side 1024 (or
# similar), or every validation decodes huge images and the training cache (below) grows large.
dataset_type = 'ArtefactDataset'
data_root = 'data/artefact'
# What model cards and the model zoo say about the data (tools/publish_model.py, model_zoo.py).
dataset_card = dict(name='ARTeFACT', hub_id='danielaivanova/damaged-media', licence='afl-3.0',
                    url='https://arxiv.org/abs/2412.04580')
# Paths inside the dataset follow data_root (the loss's and the crop's class weights);
# mmseg_heritage.utils.set_data_root moves them all for another folder.
class_weights_file = f'{data_root}/class_weights.json'
# Images are rescaled to fit (long, short) = (4, 2) crops, so a 1024 px conversion stays near
# its own resolution (fine damage such as hair and scratches survives), then by 0.5-2x.
scale = (1536, 768)
# Training reads images and masks through a cache: each is decoded once, shrunk to fit the
# largest size RandomResize can ask for (scale x 2.0, the top of its ratio range) and kept as
# raw .npy in <data_root>/cache/3072x1536/, so a step neither decodes a PNG nor resizes a huge
# original. Entries are built during the first epoch, or ahead of time with
#   python tools/dataset_converters/build_cache.py configs/poc59/segformer_b3_384.py
# and rebuilt when a source file changes. cache_dir=... puts the cache elsewhere (a read-only or
# slow data_root); fit=None keeps full-size decoded copies. Without a cache: LoadImageFromFile
# and LoadArtefactAnnotations in place of LoadCachedImageAndAnnotations. Validation and test read
# the originals. LoadArtefactAnnotations is MMSeg's LoadAnnotations refusing, with an error naming
# the file, a mask that is not class ids 0-15/255 or not its image's size. Images stay with
# LoadImageFromFile, which MMSegInferencer looks for by name.
train_pipeline = [
    dict(type='LoadCachedImageAndAnnotations', fit=(3072, 1536), cache_dir=None),
    dict(type='RandomResize', scale=scale, ratio_range=(0.5, 2.0), keep_ratio=True),
    # Half of the crops are centred on a class drawn by its rarity weight (the file's default
    # weighting), so rare damage is seen far more often than random crops would show it.
    dict(type='RareClassCrop', crop_size=(384, 384), prob=0.5,
         class_weights=class_weights_file),
    dict(type='RandomFlip', prob=0.5, direction=['horizontal', 'vertical']),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackArtefactInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=scale, keep_ratio=True),
    # Annotations after Resize: metrics compare with the mask at its original size.
    dict(type='LoadArtefactAnnotations'),
    dict(type='PackArtefactInputs'),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='splits/train.txt',
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='splits/val.txt',
                 pipeline=test_pipeline))
test_dataloader = dict(
    val_dataloader, dataset=dict(val_dataloader['dataset'], ann_file='splits/test.txt'))
# Scores from one confusion matrix over the whole split (255 ignored): per class, per material
# and content, binary and coarse levels, a 95 % interval of mIoU; metrics.json and
# confusion_matrix.csv in work_dir/<timestamp>/ (mmseg_heritage/evaluation/metrics/).
val_evaluator = dict(type='ArtefactMetric')
test_evaluator = val_evaluator
