"""chipwright: performance, energy and cost of LLM inference on real and
hypothetical AI accelerators.

Each function mirrors a CLI command and returns the document that command
prints with ``--format json`` (dicts, lists, numbers in SI units): for
example ``evaluate`` is ``chipwright eval``, ``op_gemm`` is ``chipwright op
gemm``. Arguments are the command's flags with ``-`` written ``_``. A mistake
in the input raises ``UserError`` (a ``ValueError``) with the CLI's message.
See docs/python.md.
"""
from ._chipwright import (  # noqa: F401
    UserError,
    chips,
    compare,
    data_dir,
    evaluate,
    explore,
    mlperf,
    models,
    op_attention,
    op_decode_attention,
    op_gemm,
    plan,
    precisions,
    serve,
    show_chip,
    show_model,
    silicon,
    spaces,
    validate,
)

__all__ = [
    "UserError", "chips", "compare", "data_dir", "evaluate", "explore", "mlperf", "models",
    "op_attention", "op_decode_attention", "op_gemm", "plan", "precisions", "serve",
    "show_chip", "show_model", "silicon", "spaces", "validate",
]
