"""Thread control for the learners.

scikit-learn's histogram gradient boosting uses every OpenMP thread it sees;
on a shared, small machine the threads spin against each other and a fit that
takes half a second on one thread takes a minute. Every fit and predict of this
package runs on one thread: predictable time, and results that do not depend
on the machine.
"""

from __future__ import annotations

import functools
from typing import Callable, TypeVar

from threadpoolctl import threadpool_limits

F = TypeVar("F", bound=Callable)


def one_thread(function: F) -> F:
    """Run ``function`` with BLAS and OpenMP pools limited to a single thread."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=1):
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
