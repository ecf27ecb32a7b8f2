"""The one tokeniser behind both search engines.

Text is first *normalised* (``normalise``): full-width forms folded (ＡＰＰ → APP), codes
restored with ``articles.text.restore_codes`` (D建 → 党建, TD日 → 主题党日), letters lowered.
A *word character* is anything ``str.isalnum`` accepts: Han characters, Latin letters, digits.
Everything else (punctuation, spaces, line ends) separates *runs* of word characters.

Each run ``c1 c2 … cn`` yields exactly one token per character, so a token's position is its
character's position in the stream of word characters::

    c1c2  c2c3  …  c(n-1)cn  cn

that is, the overlapping bigrams, and the run's last character alone (a *run end*). Then:

- a 2-character term is one token, exact; a longer term is the phrase of its bigrams at
  consecutive positions, exact (a bigram never spans a separator);
- a 1-character term ``x`` is the prefix query ``x*``: every occurrence of ``x`` starts a
  token (a bigram, or the run-end token);
- a quoted phrase with separators inside (“机关，党建”) ends each inner run with its run-end
  token, which only exists where the text has a separator too.

The oracle the tests compare against is ``skeleton``: the normalised text with every run of
separators replaced by one ``SEPARATOR``; a term matches a field when its skeleton is a
substring of the field's skeleton.
"""
import re

from ..text import CODE_MAP, fold_width, restore_codes

SEPARATOR = "\x01"
_NON_WORD_RUN = re.compile(r"[^\w]+|_+")  # \w minus "_": runs of non-word characters
_RUNS = re.compile(r"[^\W_]+")


def _lower1(ch: str) -> str:
    low = ch.lower()
    return low if len(low) == 1 else ch


# Full-width letters and digits: the only full-width forms that change a token (full-width
# punctuation separates runs as half-width punctuation does).
_FULL_WIDTH_WORDS = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+")


def _fold_match(match) -> str:
    return fold_width(match.group(0))


def normalise(text: str) -> str:
    """Folded, restored, lower-cased text: what is indexed and what queries are matched in.

    Only full-width letters and digits are folded (ＡＰＰ → APP): full-width punctuation
    stays, which changes no run, token or skeleton, and folding the few runs of letters
    skips a per-character table lookup of the whole text (~60 µs per 1,000 characters).
    Every character keeps its place."""
    if not text:
        return ""
    restored = restore_codes(_FULL_WIDTH_WORDS.sub(_fold_match, text))
    lowered = restored.lower()
    # Same result as lowering character by character, at a fraction of the cost (this runs in
    # the indexing of every import), unless lowering lengthens a character (İ) or is
    # contextual (final Σ): then the per-character path.
    if len(lowered) == len(restored) and "Σ" not in restored:
        return lowered
    return "".join(map(_lower1, restored))


def normalise_with_map(text: str) -> tuple[str, list[int]]:
    """``normalise(text)`` and, for each of its characters, the index in ``text`` it came from.

    Used to put highlight marks into the text as displayed. Restoring a code can lengthen
    the text (T → 主题): both characters map to the code's position.
    """
    if not text:
        return "", []
    folded = fold_width(text)  # one character for one
    restored = restore_codes(folded)
    if len(restored) == len(folded):
        lowered = restored.lower()  # as in ``normalise``: per character only when it differs
        if len(lowered) != len(restored) or "Σ" in restored:
            lowered = "".join(map(_lower1, restored))
        return lowered, list(range(len(text)))
    # Rare path: walk both strings, aligning the replaced code runs.
    out, index = [], []
    from ..text import _CAPS_RUN_RE, _split_codes, _touches_han

    pos = 0
    for match in _CAPS_RUN_RE.finditer(folded):
        out.append(folded[pos:match.start()])
        index.extend(range(pos, match.start()))
        parts = _split_codes(match.group(0))
        if parts is None or not _touches_han(folded, match.start(), match.end()):
            out.append(match.group(0))
            index.extend(range(match.start(), match.end()))
        else:
            start = match.start()
            for part in parts:
                word = CODE_MAP[part]
                out.append(word)
                index.extend([start] * len(word))
                start += len(part)
        pos = match.end()
    out.append(folded[pos:])
    index.extend(range(pos, len(folded)))
    return "".join(map(_lower1, "".join(out))), index


def runs(normalised: str) -> list[str]:
    """Maximal runs of word characters in normalised text."""
    return _RUNS.findall(normalised)


def run_tokens(run: str) -> list[str]:
    """One token per character: the bigrams of the run, then its last character alone."""
    return [run[i:i + 2] for i in range(len(run) - 1)] + [run[-1]] if run else []


def tokens(text: str) -> list[str]:
    """Index tokens of a (raw) text, in position order."""
    out = []
    for run in runs(normalise(text)):
        out.extend(run_tokens(run))
    return out


def token_string(text: str) -> str:
    """Tokens joined by spaces: what the engines are fed."""
    return " ".join(tokens(text))


def skeleton(normalised: str) -> str:
    """Normalised text with each run of separators replaced by one ``SEPARATOR``."""
    return _NON_WORD_RUN.sub(SEPARATOR, normalised)


def heading_text(sections) -> str:
    """The headings of an article's sections, one per line (codes as imported)."""
    if not isinstance(sections, list):
        return ""
    return "\n".join(
        str(section.get("heading") or "") for section in sections if isinstance(section, dict)
    )


def document_fields(title: str, sections, text: str) -> tuple[str, str, str]:
    """The three indexed fields of an article, raw: title, headings, body."""
    return title or "", heading_text(sections), text or ""


def atom_tokens(atom: tuple[str, ...]) -> tuple[list[str], bool]:
    """The token sequence an atom (runs of a term or phrase) must match at consecutive
    positions, and whether its last token is a prefix.

    Inner runs end with their run-end token, so a separator must follow them in the text too;
    a last run of one character becomes a prefix token (it may start any token).
    """
    out, prefix = [], False
    for i, run in enumerate(atom):
        if i < len(atom) - 1:
            out.extend(run_tokens(run))
        elif len(run) == 1:
            out.append(run)
            prefix = True
        else:
            out.extend(run[j:j + 2] for j in range(len(run) - 1))
    return out, prefix


def atom_skeleton(atom: tuple[str, ...]) -> str:
    """The skeleton an atom must be a substring of (the oracle's form)."""
    return SEPARATOR.join(atom)
