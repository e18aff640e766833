"""``python -m mmseg_heritage.benchmarks MODULE:FUNCTION SPEC_JSON``: one measurement in this
fresh process (see :mod:`.fresh_process`)."""
import sys

from .fresh_process import call_and_print

call_and_print(sys.argv[1:])
