from .atomic_files import (atomic_path, remove_partial_files, write_bytes_atomic,
                           write_image_atomic, write_json_atomic, write_text_atomic)

__all__ = ['atomic_path', 'remove_partial_files', 'write_bytes_atomic', 'write_image_atomic',
           'write_json_atomic', 'write_text_atomic']
