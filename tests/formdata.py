"""Read a rendered HTML form as a browser would submit it, so a test can open a page, change
some fields and post what the editor would have posted."""
from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_id=None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: list[tuple[str, str]] = []
        self._select = None
        self._select_value = None
        self._textarea = None
        self._option_value = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if self.form_id is None or attrs.get("id") == self.form_id:
                self.inside = attrs.get("method", "get").lower() == "post"
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._select_value = name, None
            self._multiple = "multiple" in attrs
            self._first = None
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._first is None:
                self._first = value
            if "selected" in attrs:
                if self._multiple:
                    self.data.append((self._select, value))
                else:
                    self._select_value = value
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select:
            if not self._multiple:
                value = self._select_value if self._select_value is not None else self._first
                self.data.append((self._select, value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            # Browsers drop one newline right after <textarea> and send CRLF line endings.
            text = text[1:] if text.startswith("\n") else text
            self.data.append((self._textarea, text.replace("\r\n", "\n").replace("\n", "\r\n")))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def form_data(response, form_id=None) -> dict:
    """The fields of the page's POST form (the first, or the one with ``form_id``), as a
    dict for ``Client.post``; a field given several times maps to a list."""
    parser = _FormParser(form_id)
    parser.feed(response.content.decode())
    data: dict = {}
    for name, value in parser.data:
        if name in data:
            data[name] = data[name] if isinstance(data[name], list) else [data[name]]
            data[name].append(value)
        else:
            data[name] = value
    return data
