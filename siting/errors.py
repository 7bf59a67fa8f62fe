"""Errors that tell the user what is wrong, where, and how to fix it."""

from __future__ import annotations


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
        The column (or field / variable).
    rows : sequence, optional
        Offending row labels or ids (the first few are shown).
    fix : str, optional
        How to fix it.
    """

    def __init__(self, message: str, *, file=None, column=None, rows=None, fix=None):
        self.message = message
        self.file = None if file is None else str(file)
        self.column = column
        self.rows = list(rows) if rows is not None else None
        self.fix = fix
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.file:
            where.append(f"file {self.file}")
        if self.column:
            where.append(f"column '{self.column}'")
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:5])
            more = f" (+{len(self.rows) - 5} more)" if len(self.rows) > 5 else ""
            where.append(f"rows {shown}{more}")
        text = self.message
        if where:
            text += " [" + "; ".join(where) + "]"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


class InfeasibleScenarioError(SitingError):
    """The scenario has no feasible plan; the message explains which limits conflict."""
