"""Typing: the stubs of the C module match it (mypy's stubtest), and user code that calls the
package passes ``mypy --strict``: the package's own modules and the sample scripts in samples/.
Also: every C function and method has a text signature that inspect.signature can read."""

import inspect
import os
import subprocess
import sys

import pytest

import miniaudio
from miniaudio import _miniaudio

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_mypy_module(args, **kwargs):
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          **kwargs)


def test_stubtest():
    result = run_mypy_module(["mypy.stubtest", "miniaudio._miniaudio"])
    assert result.returncode == 0, "stubtest failed:\n" + result.stdout + result.stderr


def test_mypy_strict_on_package_and_samples(request, tmp_path):
    # pytest's cache directory (git-ignored) keeps mypy's cache between runs, where there is one.
    cache = getattr(request.config, "cache", None)
    cache_dir = str(cache.mkdir("mypy") if cache is not None else tmp_path)
    targets = [os.path.join("src", "miniaudio"), "samples"]
    result = run_mypy_module(["mypy", "--strict", "--cache-dir", cache_dir, *targets])
    assert result.returncode == 0, "mypy --strict failed:\n" + result.stdout + result.stderr
    assert "Success" in result.stdout


def c_callables():
    """(qualified name, object) for every function of the C module and every method of its types."""
    for name, obj in sorted(vars(_miniaudio).items()):
        if inspect.isbuiltin(obj):
            yield name, obj
        elif isinstance(obj, type) and not issubclass(obj, BaseException):
            for attr, member in sorted(vars(obj).items()):
                if inspect.ismethoddescriptor(member) and (not attr.startswith("__") or attr in ("__enter__",
                                                                                                 "__exit__")):
                    yield f"{name}.{attr}", member


@pytest.mark.parametrize("name, obj", list(c_callables()), ids=lambda v: v if isinstance(v, str) else "")
def test_text_signature(name, obj):
    signature = inspect.signature(obj)
    if "." in name:  # an unbound method: its first parameter is self, and only positional
        first = next(iter(signature.parameters.values()))
        assert first.name == "self" and first.kind is inspect.Parameter.POSITIONAL_ONLY, (name, signature)


def test_text_signatures_match_how_arguments_are_parsed():
    # Keyword arguments work where the signature says so, and not where it says positional-only.
    sig = inspect.signature(_miniaudio.convert_sample_format)
    assert list(sig.parameters) == ["from_fmt", "sourcedata", "to_fmt", "dither"]
    out = _miniaudio.convert_sample_format(from_fmt=2, sourcedata=b"\0\0", to_fmt=5, dither=0)
    assert bytes(out) == b"\0\0\0\0"
    assert inspect.signature(_miniaudio.decode).parameters["source"].kind is inspect.Parameter.POSITIONAL_ONLY
    with pytest.raises(TypeError):
        _miniaudio.get_info(source=b"", from_file=False, encoding=0)
    stream = miniaudio.stream_raw_pcm_memory(b"\0\0" * 8, 1, 2, 4)
    with pytest.raises(TypeError):
        stream.seek(frame=0)
    assert inspect.signature(stream.seek).parameters["frame"].kind is inspect.Parameter.POSITIONAL_ONLY
    assert str(inspect.signature(_miniaudio._Context)) == "(backends=None, thread_prio=0, app_name='')"


def test_public_annotations_evaluate_at_run_time():
    """typing.get_type_hints (used by Sphinx, pydantic, typeguard...) works on every public function,
    class and method: no annotation that only a type checker can evaluate (array.array[...] needs
    Python 3.12 at run time)."""
    import typing

    for name in miniaudio.__all__:
        obj = getattr(miniaudio, name)
        members = [obj]
        if inspect.isclass(obj):
            members += [m for m in vars(obj).values() if inspect.isfunction(m)]
        for member in members:
            if inspect.isfunction(member) or inspect.isclass(member):
                typing.get_type_hints(member)
