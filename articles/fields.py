"""What the app's model fields share."""
import json


class UnicodeJSONEncoder(json.JSONEncoder):
    """JSON that keeps Chinese (any non-ASCII character) as itself rather than ``\\uXXXX``.

    For the JSON fields holding text (an article's sections, an import's preview): on SQLite
    the column takes half the bytes (three a character instead of six); on PostgreSQL a bulk
    insert sends the values as arrays, in whose text form psycopg escapes every backslash, one
    regular-expression replacement each (~2 ms an article). The column type is unchanged, and
    values written the other way read the same."""

    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)
