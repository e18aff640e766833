# TENT (Wang et al., ICLR 2021) on the baseline: before predicting each test (and validation)
# batch, `adapt_steps` steps of entropy minimisation update only the affine weight and bias of
# the normalisation layers, with batch-norm layers on the test batch's own statistics.
# Training is the baseline's, and the parameter names are too, so a baseline checkpoint tests
# as it is: python tools/test.py configs/poc6/unet_s_synthetic_160_tent.py CHECKPOINT
_base_ = ['./unet_s_synthetic_160_baseline.py']
model = dict(
    type='TentSegmentor',
    adapt_steps=1,
    # Untuned. TENT's rates were for batches of 64 images and more; the test loader here
    # gives one image per batch (its batch-norm statistics too), with noisier gradients.
    adapt_optimizer=dict(type='Adam', lr=1e-4),
    # False: adaptation continues from batch to batch over the test set (TENT's default);
    # True: every batch starts again from the trained weights (per-batch adaptation).
    episodic=False,
    adapt_norm_types=('BN', 'SyncBN', 'GN', 'LN'))
