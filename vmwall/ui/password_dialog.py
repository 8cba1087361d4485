"""*Changer mon mot de passe*: the signed-in operator changes their own password at the console.

The current password is asked first (someone at an unlocked console must not take the account over);
the new one twice. The check (scrypt, most of a second) runs on the bridge's workers, like a login;
wrong current passwords count towards the same wait as wrong logins. Policy refusals are said in
French from the rule they broke. Password fields are emptied as soon as they are read.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vmwall.accounts import LoginRefusedError
from vmwall.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PasswordPolicyError
from vmwall.ui.bridge import Bridge
from vmwall.ui.checked_dialog import CheckedDialog
from vmwall.ui.login_dialog import refusal_text

# change(current, new): blocking, run on a worker; raises LoginRefusedError or PasswordPolicyError.
Change = Callable[[str, str], None]


def policy_text(error: PasswordPolicyError) -> str:
    """Which rule a new password broke, for the operator (French, translatable)."""
    texts = {
        "too-short": QCoreApplication.translate(
            "PasswordDialog", "Le nouveau mot de passe doit compter au moins %1 caractères."
        ).replace("%1", str(MIN_PASSWORD_LENGTH)),
        "too-long": QCoreApplication.translate(
            "PasswordDialog", "Le nouveau mot de passe doit compter au plus %1 caractères."
        ).replace("%1", str(MAX_PASSWORD_LENGTH)),
        "line-break": QCoreApplication.translate(
            "PasswordDialog",
            "Le nouveau mot de passe ne doit contenir ni retour à la ligne ni caractère nul.",
        ),
        "contains-name": QCoreApplication.translate(
            "PasswordDialog", "Le nouveau mot de passe ne doit contenir ni votre identifiant ni votre nom."
        ),
        "repeated": QCoreApplication.translate(
            "PasswordDialog", "Le nouveau mot de passe ne doit pas répéter un ou deux caractères."
        ),
        "kinds": QCoreApplication.translate(
            "PasswordDialog",
            "Le nouveau mot de passe doit mêler trois sortes de caractères (minuscules, majuscules, "
            "chiffres, autres) ou compter au moins 16 caractères.",
        ),
        "unchanged": QCoreApplication.translate(
            "PasswordDialog", "Le nouveau mot de passe doit être différent de l'actuel."
        ),
    }
    return texts.get(error.rule, str(error))


class PasswordDialog(CheckedDialog):
    """``changed`` is True once the service accepted the new password (the dialog then closes)."""

    def __init__(self, parent: QWidget | None, bridge: Bridge, change: Change, who: str) -> None:
        super().__init__(parent, bridge, "passwordMessage")
        self.setObjectName("passwordDialog")
        self._change = change
        self.changed = False
        self._abandoned = False
        self.setWindowTitle(self.tr("Changer mon mot de passe"))
        heading = QLabel(self.tr("Compte : %1").replace("%1", who), self)
        heading.setWordWrap(True)
        rules = QLabel(
            self.tr(
                "Au moins %1 caractères mêlant minuscules, majuscules, chiffres ou autres signes "
                "(ou une phrase d'au moins 16 caractères), sans votre identifiant ni votre nom."
            ).replace("%1", str(MIN_PASSWORD_LENGTH)),
            self,
        )
        rules.setWordWrap(True)
        self.current = self._field("currentPasswordField")
        self.new = self._field("newPasswordField")
        self.confirm = self._field("confirmPasswordField")
        form = QFormLayout()
        form.addRow(self.tr("Mot de passe actuel :"), self.current)
        form.addRow(self.tr("Nouveau mot de passe :"), self.new)
        form.addRow(self.tr("Confirmation :"), self.confirm)
        self.buttons = QDialogButtonBox(self)
        self.change_button = QPushButton(self.tr("Changer"), self)
        self.change_button.setDefault(True)
        self.inputs = (self.current, self.new, self.confirm, self.change_button)
        self.buttons.addButton(self.change_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(
            self.tr("Annuler"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(rules)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.current.setFocus()

    def _field(self, name: str) -> QLineEdit:
        field = QLineEdit(self)
        field.setObjectName(name)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setMaxLength(MAX_PASSWORD_LENGTH)
        return field

    def submit(self) -> None:
        """Check what was typed here, then the current password and the policy on a worker."""
        if self.busy:
            return
        current, new, confirm = self.current.text(), self.new.text(), self.confirm.text()
        for field in (self.current, self.new, self.confirm):
            field.clear()
        if not current or not new:
            self.show_message(self.tr("Saisissez votre mot de passe actuel et le nouveau."))
            self.current.setFocus()
            return
        if new != confirm:
            self.show_message(self.tr("La confirmation ne correspond pas au nouveau mot de passe."))
            self.current.setFocus()
            return
        change = self._change
        self.check(
            "change the operator's password", lambda: change(current, new), self._on_changed, self._on_refused
        )

    def _on_changed(self, _result: object) -> None:
        self.changed = True
        self.accept()

    def abandon(self) -> None:
        """Close now (the console locks); a check under way finishes unseen, then closes it."""
        self.hide()
        if self.busy:
            self._abandoned = True
        else:
            self.reject()

    def _on_refused(self, error: Exception) -> None:
        if self._abandoned:
            self.reject()
            return
        if isinstance(error, PasswordPolicyError):
            self.show_message(policy_text(error))
        elif isinstance(error, LoginRefusedError):
            self.show_message(self.tr("Mot de passe actuel refusé : %1").replace("%1", refusal_text(error)))
        else:
            self.show_message(
                self.tr("Changement impossible : %1").replace("%1", str(error) or type(error).__name__)
            )
        self.current.setFocus()
