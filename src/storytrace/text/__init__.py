"""storytrace text stage."""
