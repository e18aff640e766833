from .atomic_files import (atomic_path, remove_partial_files, write_bytes_atomic,
                           write_image_atomic, write_json_atomic, write_text_atomic)
from .config_check import check_config_keys, known_config_keys

__all__ = ['atomic_path', 'check_config_keys', 'known_config_keys', 'remove_partial_files',
           'write_bytes_atomic', 'write_image_atomic', 'write_json_atomic', 'write_text_atomic']
