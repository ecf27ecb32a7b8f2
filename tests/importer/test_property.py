"""Property-based: generated and mutated documents are imported or refused with a one-line
message naming the file — never a crash, never a half-written import."""
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from articles.importer import ImportRefused, import_compilation, parse_file
from articles.importer.synthetic import make_compilation_text
from articles.models import Agency, Article, Compilation

from .helpers import make_docx, styles_text

FILENAME = "生成的汇编.txt"
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be"]
LINE_ENDS = ["\n", "\r\n", "\r"]
NOISE = st.one_of(
    st.text(alphabet=st.sampled_from(list("一、（）第是。，：“”\t\u3000 DKTXA0123456789目录篇")), max_size=40),
    st.sampled_from(["##paidbegin##", "##paidend##", "目录", "【广告】添加客服：abc 会员群"]),
    st.text(max_size=30),
)


@st.composite
def documents(draw):
    """A compilation (ours or synthetic) with line-level mutations, encoded somehow."""
    if draw(st.booleans()):
        text = styles_text()
    else:
        text = make_compilation_text(draw(st.integers(1, 10_000)), draw(st.integers(1, 5)))
    lines = text.split("\n")
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["delete", "duplicate", "insert", "blank", "swap"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "insert":
            lines.insert(i, draw(NOISE))
        elif op == "blank":
            lines[i] = ""
        else:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    text = draw(st.sampled_from(LINE_ENDS)).join(lines)
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(data)))
        data = data[:cut]
    if draw(st.booleans()) and data:
        pos = draw(st.integers(0, len(data) - 1))
        data = data[:pos] + bytes([draw(st.integers(0, 255))]) + data[pos + 1:]
    return data


def check_parse(data: bytes, filename: str = FILENAME):
    try:
        parsed = parse_file(data, filename=filename)
    except ImportRefused as refusal:
        message = str(refusal)
        assert message.startswith(filename + "："), message
        assert "\n" not in message and "Traceback" not in message
        return None
    json.dumps(parsed.as_json(), ensure_ascii=False)
    assert parsed.articles and parsed.title
    for article in parsed.articles:
        assert article.title and article.original_text
    return parsed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_mutated_documents_are_parsed_or_refused(data):
    check_parse(data)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_are_parsed_or_refused(data):
    check_parse(data, "任意字节.txt")


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 20_000), st.integers(0, 255))
def test_damaged_docx_is_parsed_or_refused(cut, byte):
    data = make_docx()
    data = data[: max(1, cut % len(data))] + bytes([byte]) + data[cut % len(data) + 1:]
    check_parse(data, "损坏.docx")


class ImportPropertyTests(HypothesisTestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(documents())
    def test_import_either_writes_everything_or_nothing(self, data):
        try:
            result = import_compilation(data, filename=FILENAME)
        except ImportRefused:
            self.assertEqual(Compilation.objects.count(), 0)
            self.assertEqual(Article.objects.count(), 0)
            self.assertEqual(Agency.objects.count(), 0)
            return
        self.assertEqual(Article.objects.filter(compilation=result.compilation).count(), result.created)
        self.assertEqual(import_compilation(data, filename=FILENAME).status, "unchanged")


@st.composite
def laid_out_compilations(draw):
    """(text, titles): synthetic articles laid out with varying blank-line gaps, with or
    without a 目录 (complete or partial), paid markers anywhere between articles."""
    import random

    from articles.importer.synthetic import make_article

    rng = random.Random(draw(st.integers(0, 10_000)))
    items = [make_article(rng, n) for n in range(draw(st.integers(1, 6)))]
    lines = [f"关于测试排版的材料汇编（{len(items)}篇）", ""]
    if draw(st.booleans()):
        listed = draw(st.lists(st.sampled_from(range(len(items))), unique=True))
        lines += ["目录", ""] + [f"{items[n][0]}\t{3 + n}" for n in sorted(listed)]
    for title, body in items:
        lines += [""] * draw(st.integers(2, 5))
        if draw(st.integers(0, 4)) == 0:
            lines += [draw(st.sampled_from(["##paidbegin##", "##paidend##"])), ""]
        lines += [title, ""] + body
    return "\n".join(lines) + "\n", [title for title, _ in items]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(laid_out_compilations())
def test_every_article_is_found_whatever_the_layout(case):
    text, titles = case
    parsed = parse_file(text.encode(), filename="排版.txt")
    assert [a.title for a in parsed.articles] == titles
    assert all(a.headings for a in parsed.articles)
