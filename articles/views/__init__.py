"""Public views, one module per concern: reader pages, downloads, the JSON search API."""
