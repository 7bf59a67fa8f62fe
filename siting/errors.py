"""Errors that tell the user what is wrong, where, and how to fix it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

#: Offending rows shown in a message (the rest are counted).
ROWS_SHOWN = 5


def did_you_mean(word: str, choices: Iterable[str], n: int = 3) -> str:
    """``"; did you mean 'x'?"`` for the choices close to ``word`` (prefix matches first), else ``""``.

    ``did_you_mean("carbon_cap", ["carbon_cap_tco2_per_year", "budget_usd"])`` gives
    ``"; did you mean 'carbon_cap_tco2_per_year'?"`` (a prefix match; difflib's ratio is only 0.59).
    """
    choices = [str(c) for c in choices]
    w = str(word).lower()
    prefix = [c for c in choices if len(w) >= 3 and (c.lower().startswith(w) or w.startswith(c.lower()))]
    close = difflib.get_close_matches(str(word), choices, n=n, cutoff=0.6)
    hits = list(dict.fromkeys(prefix + close))[:n]
    if not hits:
        return ""
    return "; did you mean " + " or ".join(f"'{h}'" for h in hits) + "?"


class SitingError(Exception):
    """Base class of every error siting raises on purpose."""


class InputError(SitingError, ValueError):
    """Bad input data or scenario: names the file, column, row and the fix.

    Parameters
    ----------
    message : str
        What is wrong, in plain words.
    file : str, optional
        The file (or layer name) the problem is in.
    column : str, optional
        The column (or variable).
    field : str, optional
        The scenario field (dotted path, e.g. ``region.states``).
    rows : sequence, optional
        Offending row labels or ids (the first few are shown).
    fix : str, optional
        How to fix it.
    problems : sequence of str, optional
        Several problems reported at once (each a full sentence with its own where and fix); ``column``
        and ``rows`` then describe the first one.
    """

    def __init__(
        self, message: str, *, file=None, column=None, rows=None, fix=None, problems=None, field=None
    ):
        self.message = message
        self.file = None if file is None else str(file)
        self.column = column
        self.field = field
        self.rows = list(rows) if rows is not None else None
        self.fix = fix
        self.problems = list(problems) if problems else []
        super().__init__(self._format())

    def where(self) -> str:
        """``file …; column '…'; rows …`` (empty when nothing is known)."""
        parts = []
        if self.file:
            parts.append(f"file {self.file}")
        if self.field:
            parts.append(f"field '{self.field}'")
        if self.column:
            parts.append(f"column '{self.column}'")
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:ROWS_SHOWN])
            more = f" (+{len(self.rows) - ROWS_SHOWN} more)" if len(self.rows) > ROWS_SHOWN else ""
            parts.append(f"rows {shown}{more}")
        return "; ".join(parts)

    def _format(self) -> str:
        text = self.message
        where = self.where()
        if where:
            text += f" [{where}]"
        if self.fix:
            text += f". Fix: {self.fix}"
        for p in self.problems:
            text += f"\n  - {p}"
        return text

    def lines(self) -> list[str]:
        """The error as display lines: what, then ``where:``, ``fix:`` and one line per problem."""
        out = [self.message]
        if self.where():
            out.append(f"  where: {self.where()}")
        if self.fix:
            out.append(f"  fix:   {self.fix}")
        out += [f"  - {p}" for p in self.problems]
        return out

    def brief(self) -> str:
        """One line without the file (for a list of problems in the same file)."""
        text = self.message
        parts = [p for p in self.where().split("; ") if p and not p.startswith("file ")]
        if parts:
            text += f" [{'; '.join(parts)}]"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text

    @classmethod
    def combine(cls, errors: Sequence[InputError], what: str, file=None) -> InputError:
        """One error for several problems (the single one itself when there is only one).

        The combined error's ``column`` and ``rows`` are the first problem's, its message
        ``"{what}: N problems"`` and its ``problems`` one line per error.
        """
        if len(errors) == 1:
            return errors[0]
        first = errors[0]
        return cls(
            f"{what}: {len(errors)} problems",
            file=file if file is not None else first.file,
            column=first.column,
            rows=first.rows,
            fix="fix each problem listed below",
            problems=[e.brief() for e in errors],
        )


class InfeasibleScenarioError(SitingError):
    """The scenario has no feasible plan; the message explains which limits conflict."""
