"""Keyboard shortcuts from the settings, as Qt key sequences, checked once at start.

A shortcut that Qt cannot read, or a key given to two actions, is reported (settings file, action,
reason) and left out; the console still starts with the rest.
"""

from __future__ import annotations

from typing import Any, cast

from PySide6.QtCore import QKeyCombination, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence

from vmwall.config.settings import KEYPAD_ACTIONS, Action, Settings

_NO_KEYPAD = ~Qt.KeyboardModifier.KeypadModifier


def _strip(combination: QKeyCombination, drop_shift: bool) -> tuple[int, int]:
    modifiers = combination.keyboardModifiers() & _NO_KEYPAD
    if drop_shift:
        modifiers &= ~Qt.KeyboardModifier.ShiftModifier
    return int(combination.key().value), int(modifiers.value)


def _first(sequence: QKeySequence) -> QKeyCombination:
    """The sequence's first key combination (the stubs lack QKeySequence.__getitem__)."""
    item: Any = sequence
    return cast(QKeyCombination, item[0])


def _is_symbol(key: int) -> bool:
    """Printable, non-letter, non-digit keys (+, -, *, /...): their Shift depends on the keyboard."""
    return 0x20 < key < 0x7F and not chr(key).isalnum()


class KeyMap:
    def __init__(self, settings: Settings, source: str) -> None:
        self.errors: list[str] = []
        self._sequences: dict[str, list[QKeySequence]] = {}
        self._keypad: dict[tuple[int, int], str] = {}
        owner: dict[str, str] = {}
        merged = {str(action): keys for action, keys in settings.all_shortcuts().items()}
        # The keys the settings file gives win over the defaults they clash with.
        order = sorted(merged, key=lambda action: (action not in settings.shortcuts, action))
        for action in order:
            texts = merged[action]
            sequences = []
            for text in texts:
                sequence = QKeySequence.fromString(text, QKeySequence.SequenceFormat.PortableText)
                if (
                    sequence.isEmpty()
                    or sequence.count() != 1
                    or _first(sequence).key() == Qt.Key.Key_unknown
                ):
                    self.errors.append(f"{source}: shortcut {text!r} of {action!r} is not a key Qt knows")
                    continue
                key = _first(sequence).key()
                if action in KEYPAD_ACTIONS and Qt.Key.Key_0.value <= key.value <= Qt.Key.Key_9.value:
                    self.errors.append(
                        f"{source}: shortcut {text!r} of {action!r}: digits are the keypad's numbers"
                    )
                    continue
                canonical = sequence.toString(QKeySequence.SequenceFormat.PortableText)
                if canonical in owner and owner[canonical] != action:
                    self.errors.append(
                        f"{source}: key {canonical!r} is given to both {owner[canonical]!r} and "
                        f"{action!r}; kept for {owner[canonical]!r}"
                    )
                    continue
                owner[canonical] = action
                sequences.append(sequence)
                if action in KEYPAD_ACTIONS:
                    self._keypad[_strip(_first(sequence), drop_shift=False)] = action
            self._sequences[action] = sequences

    def sequences(self, action: str) -> list[QKeySequence]:
        return list(self._sequences.get(action, []))

    def text(self, action: str) -> str:
        return ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in self.sequences(action))

    def keypad_action(self, event: QKeyEvent) -> Action | None:
        """The keypad action of a key press (numeric keypad keys count as their main-keyboard twin)."""
        combination = event.keyCombination()
        found = self._keypad.get(_strip(combination, drop_shift=False))
        if found is None and _is_symbol(combination.key().value):
            found = self._keypad.get(_strip(combination, drop_shift=True))
        return Action(found) if found is not None else None
