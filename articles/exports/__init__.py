"""Exports of articles and compilations (.docx, .txt)."""
