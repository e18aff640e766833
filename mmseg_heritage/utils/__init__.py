from .atomic_files import (atomic_path, remove_partial_files, write_bytes_atomic,
                           write_image_atomic, write_json_atomic, write_text_atomic)
from .class_weights_file import CLASS_WEIGHTS_FILE, load_class_weights
from .config_check import check_config_keys, known_config_keys
from .cpu_threads import usable_cpus
from .data_config import data_root_of, input_size, set_data_root
from .file_hashes import sha256_of_file
from .pixel_counts import count_pixels, value_counts
from .thinning import thin

__all__ = ['CLASS_WEIGHTS_FILE', 'atomic_path', 'check_config_keys', 'count_pixels',
           'data_root_of', 'input_size', 'known_config_keys', 'load_class_weights',
           'remove_partial_files', 'set_data_root', 'sha256_of_file', 'thin', 'usable_cpus',
           'value_counts',
           'write_bytes_atomic', 'write_image_atomic', 'write_json_atomic', 'write_text_atomic']
