"""Time and peak memory of the ARTeFACT parquet converter on one shard, meant for a process of
its own (:func:`~.fresh_process.run_in_fresh_process`), whose peak RSS is then its own.

``ru_maxrss`` of a child (getrusage or wait4) would not do: it starts from its parent's RSS at
fork, which for a benchmark holding generated images is far larger than a conversion.
"""
import time

from ..datasets.preparation import convert_artefact_parquet
from .process_memory import peak_rss_mib


def convert_shard(spec: dict) -> dict:
    """Convert one shard, timed without the imports.

    Args:
        spec (dict): ``source`` (shard; empty: only import the converter, for the baseline),
            ``out`` (output folder) and ``max_long_side`` (None: full size).

    Returns:
        dict: ``seconds`` and ``images`` converted (none for an empty ``source``), and
        ``peak_rss_mib`` of this process.
    """
    result = {}
    if spec['source']:
        start = time.perf_counter()
        report = convert_artefact_parquet(spec['source'], spec['out'],
                                          max_long_side=spec['max_long_side'], progress=False)
        if report.bad_rows:
            raise ValueError(f'rows could not be converted: {report.bad_rows}')
        result = dict(seconds=time.perf_counter() - start, images=len(report.converted))
    return dict(result, peak_rss_mib=peak_rss_mib())
