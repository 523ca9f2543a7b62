"""A display's form is read as the standard library reads it, however it is spelled."""

from __future__ import annotations

from urllib.parse import parse_qsl

from hypothesis import given
from hypothesis import strategies as st

from spotifylcd.contract import _parse_form

# What display bodies are made of, and the separators that matter.
FORM_TEXT = st.text(alphabet=st.sampled_from("uidkeyv=2&%+ é夜\x00"), max_size=40)


@given(FORM_TEXT)
def test_a_form_reads_as_parse_qsl_reads_it(text: str) -> None:
    try:
        expected = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return  # "%ff": refused the same way, by the same function
    assert _parse_form(text) == expected
