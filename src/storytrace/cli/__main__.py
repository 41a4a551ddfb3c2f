"""``python -m storytrace.cli``: the same as the ``storytrace`` command."""
from . import main

if __name__ == "__main__":  # pragma: no cover
    main()
