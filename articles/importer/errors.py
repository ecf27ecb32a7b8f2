"""The one exception the importer raises for input it cannot use."""


class ImportRefused(Exception):
    """A file the importer will not import. ``str(exc)`` is one Chinese line naming the file
    and the problem, fit for a command's stderr and for the admin's error message."""

    def __init__(self, filename: str, problem: str):
        self.filename = filename
        self.problem = problem
        super().__init__(f"{filename}：{problem}")
