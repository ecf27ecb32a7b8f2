"""Legacy Word documents (.doc, Word 97–2003): their text from ``antiword``.

antiword (the Debian package of that name; ``.ci/run`` and the README's set-up install it)
reads the binary format and prints UTF-8. It ends every paragraph with an empty line, so an
empty paragraph (the genre's blank line between articles) comes out as two more: a run of k
empty lines is k // 2 blank lines of the document. The text then follows the .txt rules.
"""
import shutil
import subprocess
import tempfile

from .decode import CFB_MAGIC, strip_controls
from .errors import ImportRefused
from .lines import Line, text_lines

TIMEOUT_SECONDS = 60
_WORD_STREAM = "WordDocument".encode("utf-16-le")


def is_doc(data: bytes) -> bool:
    """An OLE container holding a Word 97–2003 document (not an encrypted .docx)."""
    return data.startswith(CFB_MAGIC) and _WORD_STREAM in data


def antiword_text(source) -> str:
    name = source.filename
    program = shutil.which("antiword")
    if program is None:
        raise ImportRefused(name, "服务器未安装 antiword，无法读取旧版 .doc 文件；请另存为 .docx 后导入，"
                                  "或请管理员安装 Debian 软件包 antiword")
    with tempfile.NamedTemporaryFile(suffix=".doc") as handle:
        handle.write(source.data)
        handle.flush()
        try:
            done = subprocess.run(
                [program, "-m", "UTF-8.txt", "-w", "0", handle.name],
                capture_output=True, timeout=TIMEOUT_SECONDS, check=False,
            )
        except subprocess.TimeoutExpired:
            raise ImportRefused(name, f"读取 .doc 超过 {TIMEOUT_SECONDS} 秒，文件可能已损坏") from None
    if done.returncode != 0:
        problem = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = f"（{problem[-1][:80]}）" if problem else ""
        raise ImportRefused(name, f".doc 文件已损坏、加密或不是 Word 文档，无法读取{detail}")
    return strip_controls(done.stdout.decode("utf-8", "replace"))


def doc_lines(source) -> list[Line]:
    raw = antiword_text(source).replace("\r\n", "\n").split("\n")
    kept, empty = [], 0
    for line in raw:
        if line.strip():
            kept.extend([""] * (empty // 2))
            kept.append(line)
            empty = 0
        else:
            empty += 1
    return text_lines("\n".join(kept))
