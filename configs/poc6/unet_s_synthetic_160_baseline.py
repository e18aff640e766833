# Domain generalisation study (issue 9), baseline: the CPU demo model (small UNet, synthetic
# data, 160 px) trained and tested as it is. Each method changes one thing on top of it:
#   unet_s_synthetic_160_tent.py   test-time adaptation (TENT) of this config's checkpoints
#   unet_s_synthetic_160_coral.py  training with a Deep CORAL loss across materials
# The split files below are the in-domain (stratified) ones; a fold of leave-one-material-out
# or leave-one-content-out swaps in splits/lomo/<material>/ or splits/locontent/<content>/,
# e.g. --cfg-options train_dataloader.dataset.ann_file=splits/lomo/glass/train.txt
# val_dataloader.dataset.ann_file=splits/lomo/glass/val.txt
# test_dataloader.dataset.ann_file=splits/lomo/glass/test.txt
# The test metrics break results down per material and content (ArtefactMetric), so the gap
# between seen and unseen domains can be read off one run.
_base_ = ['../demo/unet_s_synthetic_160.py']
