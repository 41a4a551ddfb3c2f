"""Quality measurement on labelled data (``storytrace eval``)."""
