"""chipwright: performance, energy and cost of LLM inference on real and
hypothetical AI accelerators.

Each function mirrors a CLI command and returns the document that command
prints with ``--format json`` (dicts, lists, numbers in SI units): for
example ``evaluate`` is ``chipwright eval``, ``op_gemm`` is ``chipwright op
gemm``. Arguments are the command's flags with ``-`` written ``_``. A chip,
model, precision or design space is a preset id, a path to its file, or a
dict with the file's contents (written once to a file named by its content
under the temporary folder, so messages can name its lines); `serve`'s trace
may be rows of (input_length, output_length[, arrival_s]). A mistake in
the input raises ``UserError`` (a ``ValueError``) with the CLI's message.
See docs/python.md.
"""
import functools
import hashlib
import json
import os
import tempfile

from . import _chipwright
from ._chipwright import (UserError, __version__, chips, data_dir, models, precisions, spaces,
                          validate)

__all__ = [
    "UserError", "chips", "compare", "data_dir", "evaluate", "explore", "mlperf", "models",
    "op_attention", "op_decode_attention", "op_gemm", "plan", "precisions", "serve",
    "show_chip", "show_model", "silicon", "spaces", "validate",
]

# The file each kind of input is read from: folder under the data directory's
# layout and file suffix.
_KINDS = {"chip": ("chips", ".yaml"), "model": ("models", ".json"),
          "precision": ("precisions", ".yaml"), "space": ("spaces", ".yaml")}


def _content_file(text, folder, name):
    """`text` in a file named by its content under the temporary folder
    (written once, atomically: whole or absent even with concurrent writers)."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:20]
    where = os.path.join(tempfile.gettempdir(), f"chipwright-{os.getuid()}", folder, digest)
    path = os.path.join(where, name)
    if not os.path.exists(path):
        os.makedirs(where, exist_ok=True)
        partial = f"{path}.{os.getpid()}.tmp"
        with open(partial, "w") as f:
            f.write(text)
        os.replace(partial, path)
    return path


def _as_trace(value):
    """A trace path as given; rows of (input_length, output_length[, arrival_s])
    written as the trace CSV serve reads."""
    if value is None or isinstance(value, (str, os.PathLike)):
        return value if value is None else os.fspath(value)
    rows = [tuple(r) for r in value]
    if not rows or len({len(r) for r in rows}) != 1 or len(rows[0]) not in (2, 3):
        raise TypeError("trace: expected a path or rows of (input_length, output_length"
                        "[, arrival_s]), all of the same length")
    header = "input_length,output_length" + (",arrival_s" if len(rows[0]) == 3 else "")
    text = header + "\n" + "".join(",".join(repr(x) for x in r) + "\n" for r in rows)
    return _content_file(text, "traces", "trace.csv")


def _as_file(value, kind):
    """An id or path as given; a dict written to a content-named file (JSON is
    YAML too), whose path is returned. A model's id is its file's stem, so a
    model dict's file is named after its `_name_or_path` (else `model`)."""
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    if not isinstance(value, dict):
        raise TypeError(f"{kind}: expected a preset id, a path or a dict, "
                        f"got {type(value).__name__}")
    folder, suffix = _KINDS[kind]
    stem = kind
    if kind == "model":
        stem = os.path.basename(str(value.get("_name_or_path", "model")).rstrip("/")) or "model"
    return _content_file(json.dumps(value, indent=2) + "\n", folder, stem + suffix)


def _files(fn, positional, **kinds):
    """Wraps `fn` so that the named arguments may be dicts (see _as_file).
    `positional` lists fn's leading positional parameters; `kinds` maps an
    argument to its kind, or to a 1-tuple (kind,) for a list of them."""
    def convert(value, kind):
        if isinstance(kind, tuple):
            return [_as_file(v, kind[0]) for v in value]
        return _as_file(value, kind)

    @functools.wraps(fn)
    def call(*args, **kwargs):
        args = list(args)
        for name, kind in kinds.items():
            if name in kwargs:
                kwargs[name] = convert(kwargs[name], kind)
            elif name in positional and positional.index(name) < len(args):
                i = positional.index(name)
                args[i] = convert(args[i], kind)
        return fn(*args, **kwargs)
    return call


evaluate = _files(_chipwright.evaluate, ("chip", "model"), chip="chip", model="model",
                  precision="precision")
compare = _files(_chipwright.compare, ("chips",), chips=("chip",), model="model",
                 precision="precision")
plan = _files(_chipwright.plan, ("chip", "count", "model"), chip="chip", model="model",
              precision="precision")
op_gemm = _files(_chipwright.op_gemm, ("chip",), chip="chip")
op_attention = _files(_chipwright.op_attention, ("chip",), chip="chip")
op_decode_attention = _files(_chipwright.op_decode_attention, ("chip",), chip="chip")
_serve = _files(_chipwright.serve, ("chip", "model"), chip="chip", model="model",
                precision="precision")


@functools.wraps(_chipwright.serve)
def serve(*args, trace=None, **kwargs):
    return _serve(*args, trace=_as_trace(trace), **kwargs)
mlperf = _files(_chipwright.mlperf, ("chip",), chip="chip", precision="precision")
explore = _files(_chipwright.explore, ("space",), space="space")
silicon = _files(_chipwright.silicon, ("chip",), chip="chip")
show_chip = _files(_chipwright.show_chip, ("chip",), chip="chip")
show_model = _files(_chipwright.show_model, ("model",), model="model")
