"""Feature rows (`Vectoriser.transform` output) as the sparse matrix scikit-learn fits.

Shared by both trainers (`knowledge.qa.intent_train`, `knowledge.qa.scope_train`); training
only, so scipy is imported inside, as a development dependency.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def feature_matrix(rows: Sequence[dict[str, float]]) -> tuple[Any, dict[str, int]]:
    """(CSR matrix, feature -> column), columns in sorted feature order (deterministic)."""
    from scipy.sparse import csr_matrix

    column = {f: n for n, f in enumerate(sorted({f for row in rows for f in row}))}
    data, indices, indptr = [], [], [0]
    for row in rows:
        for f, v in sorted(row.items()):
            indices.append(column[f])
            data.append(v)
        indptr.append(len(indices))
    return csr_matrix((data, indices, indptr), shape=(len(rows), len(column))), column
