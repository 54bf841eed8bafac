"""Printers, PDFs, keyring and notifications; each imports its library lazily."""
