"""gitignore-style globs: settings ``exclude``, ``extend-exclude`` and ``per-file-ignores``
(relative to the settings file's directory) and ``--exclude`` (relative to the current one).

A glob means what it means in a ``.gitignore`` (:mod:`pathspec`'s ``GitIgnoreSpec``
matches it): ``*`` and ``?`` match within a path component, ``**`` across components,
``[a-z]`` one character of a class (never a ``/``), ``\\`` escapes the next character; a
glob with no ``/`` but a trailing one matches at any depth, any other is anchored at the
directory (``/x``: only the ``x`` in it), a trailing ``/`` matches directories only;
``!glob`` re-includes what an earlier glob excluded, the last glob that matches decides,
and a path under an excluded directory stays excluded, as in git.  ``./x`` is read as
``/x``.  A path outside the directory is matched by its absolute path (without the
leading ``/``), so that a glob without a ``/`` still matches at any depth.

pathspec turns each glob into a regular expression that :mod:`re` matches by
backtracking, which takes ages for ``*a*a*a...b`` on a long name (a glob in a settings
file of a hostile repository).  The expressions are therefore built without the choices
that backtrack, in atomic groups (a lookahead, which :mod:`re` never goes back into, and
a backreference to what it matched): a ``*`` that is followed by another in the same path
component stops at the first place where what lies between them matches, and the part of
a glob between two ``**`` is placed at the first place where it matches.  Both take the
earliest of equivalent choices (what lies between has a fixed length, and what follows
can use any room left), so the globs match exactly what pathspec's own expressions do
(but that a class never matches ``/``, as in git), in time linear in the path.
"""

from __future__ import annotations

import itertools
import os
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec


class GlobError(ValueError):
    """A glob that cannot be used; ``offset`` is where in it the problem starts."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Globs:
    """gitignore-style globs, in their order, compiled."""

    texts: tuple[str, ...]  # as the user wrote them
    spec: GitIgnoreSpec
    negates: bool  # a `!glob` among them

    def match(self, path: str, *, is_dir: bool = False) -> str | None:
        """The glob that excludes ``path`` (``/``-separated, from :func:`relative`), or
        None; the directories above it are not looked at one by one (the walk has
        passed over them already): :meth:`excluding` does."""
        found = self.spec.check_file(path + "/" if is_dir else path)
        return self.texts[found.index] if found.include and found.index is not None else None

    def excluding(self, path: str) -> str | None:
        """The glob that excludes the file ``path`` or a directory above it, if one does.
        A glob that matches a directory matches what is under it too: only a ``!glob``
        (which could re-include the file) makes the directories be looked at one by one."""
        if self.negates:
            parts = path.split("/")
            for n in range(1, len(parts)):
                found = self.match("/".join(parts[:n]), is_dir=True)
                if found is not None:
                    return found
        return self.match(path)


def relative(path: str, directory: str) -> str:
    """``path`` as globs relative to ``directory`` see it: relative to it, or when outside
    it, absolute without the leading ``/``."""
    full = os.path.abspath(path)
    rel = os.path.relpath(full, directory)
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        rel = full.lstrip(os.sep)
    return rel.replace(os.sep, "/")


_CACHE: dict[tuple[str, ...], Globs] = {}


def compile_globs(texts: Sequence[str]) -> Globs:
    """``texts`` compiled (once per run); raises :class:`GlobError` for an invalid one."""
    key = tuple(texts)
    found = _CACHE.get(key)
    if found is None:
        from pathspec import GitIgnoreSpec

        for text in key:
            check_glob(text)
        with warnings.catch_warnings():  # `[[]` is a literal `[`, not a nested set to come
            warnings.simplefilter("ignore", FutureWarning)
            spec = GitIgnoreSpec.from_lines(
                [_gitignore_text(t) for t in key], _linear_pattern(), backend="simple"
            )
        found = _CACHE[key] = Globs(key, spec, any(t.startswith("!") for t in key))
    return found


def check_glob(text: str) -> None:
    """Raise :class:`GlobError` if ``text`` is not a glob that can match something."""
    glob = _gitignore_text(text)
    shift = len(text) - len(glob)  # `./` became `/`: only the start changes
    problem = _problem(glob)
    if problem is not None:
        raise GlobError(problem[0], problem[1] + shift if problem[1] else 0)
    from pathspec.patterns.gitignore import GitIgnorePatternError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            matches = _linear_pattern()(glob).include is not None
    except (GitIgnorePatternError, re.error) as exc:
        raise GlobError(f"invalid glob: {exc}", 0) from None
    if not matches:
        raise GlobError("this glob matches nothing", 0)


def _gitignore_text(text: str) -> str:
    """``text`` as pathspec reads it: a leading ``./`` (after a ``!``) anchors, as ``/`` does."""
    bang = "!" if text.startswith("!") else ""
    rest = text[len(bang) :]
    if not rest.startswith("./"):
        return text
    while rest.startswith("./"):
        rest = rest[2:]
    return f"{bang}/{rest}"


def _problem(glob: str) -> tuple[str, int] | None:
    """What makes ``glob`` unusable, and where in it, if anything does."""
    body = glob if glob.endswith("\\ ") else glob.rstrip()  # trailing blanks do not count
    if not body:
        return "an empty glob matches nothing", 0
    if body.startswith("#"):
        return "a glob starting with `#` is a comment, as in .gitignore (write `\\#`)", 0
    if body == "!":
        return "nothing follows `!`", 0
    i = 0
    while i < len(body):
        if body[i] == "\\":
            if i + 1 == len(body) or body[i + 1] == "/":
                return "`\\` escapes nothing here (write `\\\\` to match a `\\`)", i
            i += 2
        elif body[i] == "[":
            end = _class_end(body, i)
            if end is None:
                return "unclosed `[` (write `\\[` to match a `[`)", i
            message = _class_error(body[i:end])
            if message is not None:
                return message, i
            i = end
        else:
            i += 1
    return None


def _class_end(glob: str, i: int) -> int | None:
    """Where the class opening at ``glob[i] == "["`` ends (after its ``]``), as pathspec
    reads it: ``!`` or ``^`` first negates it, a ``]`` first is literal; None if no ``]``
    closes it within the path component."""
    j = i + 1 + (glob[i + 1 : i + 2] in ("!", "^"))
    j += glob[j : j + 1] == "]"
    while j < len(glob) and glob[j] not in "]/":
        j += 1
    return j + 1 if glob[j : j + 1] == "]" else None


def _class_error(cls: str) -> str | None:
    """Why the class ``cls`` (``[...]``, closed) is invalid, if it is."""
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    regex, _ = GitIgnoreSpecPattern.pattern_to_regex(f"/{cls}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            re.compile(regex or "")
    except re.error as exc:
        reversed_range = re.fullmatch(r"bad character range (.)-(.)", exc.msg)
        if reversed_range:
            lo, hi = reversed_range.groups()
            return (f"invalid class `{cls}`: the range `{lo}-{hi}` is reversed "
                    f"(write `{hi}-{lo}`)")
        return f"invalid class `{cls}`: {exc.msg}"
    return None


# --- expressions that do not backtrack --------------------------------------------------

# the pieces of pathspec's expressions (pathspec 1.x) other than characters and classes
_LEAD = "^(?:.+/)?"  # a leading `**/`, or none: at any depth
_GAP = "(?:/.+)?"  # an inner `/**`
_STAR = "[^/]*"  # `*` within a path component
_PIECES = (_LEAD, _GAP, _STAR, "[^/]+", "[^/]", "(?:(?P<ps_d>/)|$)", "(?P<ps_d>/)")
# the pieces between path components: anchors, `/`, the ends (`x`, `x/`, `x/**`), `**`
_BETWEEN = frozenset({_LEAD, _GAP, "^", "/", ".", "(?:(?P<ps_d>/)|$)", "(?P<ps_d>/)"})
_NAMES = itertools.count()


def _tokens(regex: str) -> list[str]:
    """pathspec's expression cut into pieces: those of :data:`_PIECES`, a class, an
    escaped character or another character."""
    out = []
    i = 0
    while i < len(regex):
        piece = next((p for p in _PIECES if regex.startswith(p, i)), None)
        if piece is not None:
            end = i + len(piece)
        elif regex[i] == "\\":
            end = i + 2
        elif regex[i] == "[":  # pathspec writes a class as `[`, `^` if negated, then the
            j = i + 1 + (regex[i + 1 : i + 2] == "^")  # glob's text up to its `]`
            end = regex.index("]", j + (regex[j : j + 1] == "]")) + 1
        else:
            end = i + 1
        out.append(regex[i:end])
        i = end
    return out


def _atomic(regex: str) -> str:
    """``regex`` matched once, at its first match: what follows never makes it retry."""
    name = f"a{next(_NAMES)}"
    return f"(?=(?P<{name}>{regex}))(?P={name})"


def _component(tokens: list[str]) -> str:
    """The expression of one path component: each ``*`` but the last matches up to the
    first place where the pieces after it do, a class never matches ``/``."""
    chunks = [""]  # the pieces between the runs of `*`
    for token in tokens:
        if token == _STAR:
            if chunks[-1] or len(chunks) == 1:
                chunks.append("")
        else:
            is_class = token.startswith("[") and token not in _PIECES
            chunks[-1] += f"(?!/){token}" if is_class else token
    if len(chunks) == 1:
        return chunks[0]
    first, *middle, last = chunks
    return first + "".join(_atomic(f"[^/]*?{m}") for m in middle) + _STAR + last


def _no_backtracking(regex: str) -> str:
    """pathspec's expression without choices that backtrack: each path component by
    :func:`_component`, each part of the glob between two ``**`` placed at its first
    match (the last part and a leading ``**`` before it keep pathspec's greedy choice,
    which tells a file that matches from one in a directory that matches)."""
    parts = [""]  # the expression of each part between two `**`
    component: list[str] = []
    for token in _tokens(regex):
        if token not in _BETWEEN:
            component.append(token)
            continue
        parts[-1] += _component(component)
        component = []
        if token == _GAP:
            parts.append("")
        else:
            parts[-1] += token
    parts[-1] += _component(component)
    if len(parts) == 1:
        return parts[0]
    first, *middle, last = parts
    if first.startswith(_LEAD):
        first = "^" + _atomic(f"(?:.+?/)??{first[len(_LEAD) :]}(?=/)")
    return first + "".join(_atomic(f"(?:/.+?)??{m}(?=/)") for m in middle) + _GAP + last


@cache
def _linear_pattern() -> Any:
    """pathspec's gitignore pattern, with expressions that do not backtrack."""
    from typing import AnyStr

    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    class LinearPattern(GitIgnoreSpecPattern):
        __slots__ = ()

        @classmethod
        def pattern_to_regex(cls, pattern: AnyStr) -> tuple[AnyStr | None, bool | None]:
            regex, include = super().pattern_to_regex(pattern)
            if isinstance(regex, str):
                return _no_backtracking(regex), include  # type: ignore[return-value]
            return regex, include

    return LinearPattern
