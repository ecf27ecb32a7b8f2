"""Tag input for editors: split on Chinese and Latin separators, normalise every name."""
import re

from .text import normalise_tag_name

_SEPARATORS = re.compile(r"[,，、;；\n]+")


def parse_tags(tagstring: str) -> list[str]:
    """Split an editor's tag input into unique normalised names, in the order given."""
    names = []
    for part in _SEPARATORS.split(tagstring or ""):
        name = normalise_tag_name(part)
        if name and name not in names:
            names.append(name)
    return names


def join_tags(tags) -> str:
    """The editable string for a list of tags: names joined with the Chinese comma."""
    return "，".join(sorted(tag.name for tag in tags))
