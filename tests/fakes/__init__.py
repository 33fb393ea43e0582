"""Local fakes of outside services the app calls (tests only)."""
