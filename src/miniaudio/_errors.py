"""The package's exceptions.

They are defined by the C module (which raises them) and re-exported here, so that Python code
imports them from one place: ``MiniaudioError`` is the base of every error the package raises
itself, ``DecodeError`` a decoding failure, ``OutputTooLargeError`` a decode refused by its
``max_output_bytes`` bound.
"""

from . import _miniaudio as _ma

MiniaudioError = _ma.MiniaudioError
DecodeError = _ma.DecodeError
OutputTooLargeError = _ma.OutputTooLargeError

__all__ = ["MiniaudioError", "DecodeError", "OutputTooLargeError"]
