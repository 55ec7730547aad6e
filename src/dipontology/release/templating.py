"""The Jinja2 environment of the release's templates (``dipontology/release/templates``): shared by the pages
(:mod:`.site`) and the pictures (:mod:`.pictures`), which the pages include.

>>> environment().from_string("{{ x }}").render(x="<b>&</b>")
'&lt;b&gt;&amp;&lt;/b&gt;'
"""
from __future__ import annotations

import functools

import jinja2


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The template environment: templates from the package, autoescaping, undefined names are errors."""
    return jinja2.Environment(loader=jinja2.PackageLoader("dipontology.release", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True, auto_reload=False)
