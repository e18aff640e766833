# DeepLabV3+ (../heads/deeplabv3plus.py) with the backbone, preprocessing and inference of
# upernet_swin_tiny.py (pretrained weights: see there).
_base_ = ['./upernet_swin_tiny.py', '../heads/deeplabv3plus.py']
model = dict(
    decode_head=dict(
        _delete_=True,
        **_base_.deeplabv3plus_head,
        # TimmPyramidBackbone(...).out_channels; tests/test_configs checks them.
        in_channels=768,  # the stride-32 level
        c1_in_channels=96,  # the stride-4 level
        norm_cfg={{_base_.norm_cfg}}))
