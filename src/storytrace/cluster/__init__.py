"""storytrace cluster stage."""
