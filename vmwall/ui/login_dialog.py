"""The login dialog: at console start, and for a shift handover ("Changer d'opérateur").

The password check (scrypt, most of a second, and a database query) runs on the bridge's workers;
the dialog stays responsive and says "vérification…". Refusals are shown in French from the
error's reason (``vmwall.accounts.LoginFailure``): one message for an unknown login or a wrong
password. The password field is emptied as soon as it is read.
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

from vmwall.accounts import AccessProblem, LoginFailure, LoginRefusedError, Session
from vmwall.model.user import MAX_LOGIN_LENGTH
from vmwall.ui.bridge import Bridge
from vmwall.ui.checked_dialog import CheckedDialog


def refusal_text(error: Exception) -> str:
    """Why a login, an unlock or a handover was refused, for the operator (French, translatable)."""
    if not isinstance(error, LoginRefusedError):
        return QCoreApplication.translate("LoginDialog", "Connexion impossible : %1").replace(
            "%1", str(error) or type(error).__name__
        )
    if error.reason is LoginFailure.BAD_CREDENTIALS:
        return QCoreApplication.translate("LoginDialog", "Identifiant ou mot de passe incorrect.")
    if error.reason is LoginFailure.THROTTLED:
        return QCoreApplication.translate(
            "LoginDialog", "Trop de mots de passe erronés : réessayez dans %1 s."
        ).replace("%1", str(error.retry_after_s or 30))
    if error.reason is LoginFailure.NO_ACCOUNTS:
        return QCoreApplication.translate(
            "LoginDialog",
            "Aucun compte n'existe encore. Créez le premier administrateur avec :\n"
            "vmwall users add IDENTIFIANT --role administrateur --password-stdin",
        )
    texts = {
        AccessProblem.INACTIVE: QCoreApplication.translate("LoginDialog", "Ce compte est désactivé."),
        AccessProblem.NOT_YET_VALID: QCoreApplication.translate(
            "LoginDialog", "Ce compte n'est pas encore valide."
        ),
        AccessProblem.EXPIRED: QCoreApplication.translate("LoginDialog", "Ce compte a expiré."),
        AccessProblem.NO_COMMUNE_SCOPE: QCoreApplication.translate(
            "LoginDialog", "Ce compte de policier municipal n'a aucune commune."
        ),
        AccessProblem.AGREMENT_MISSING: QCoreApplication.translate(
            "LoginDialog", "Aucun agrément n'est enregistré pour ce compte."
        ),
        AccessProblem.AGREMENT_SUSPENDED: QCoreApplication.translate(
            "LoginDialog", "Votre agrément est suspendu : connexion refusée."
        ),
        AccessProblem.AGREMENT_EXPIRED: QCoreApplication.translate(
            "LoginDialog", "Votre agrément a expiré : connexion refusée."
        ),
        AccessProblem.TRAINING_MISSING: QCoreApplication.translate(
            "LoginDialog", "Votre formation n'est pas enregistrée : connexion refusée."
        ),
        AccessProblem.CHARTER_MISSING: QCoreApplication.translate(
            "LoginDialog", "La charte d'utilisation n'est pas signée : connexion refusée."
        ),
    }
    try:
        return texts[AccessProblem(error.problem or "")]
    except ValueError:
        return str(error)


class LoginDialog(CheckedDialog):
    """Asks a login and a password; ``authenticate(login, password)`` (blocking, run on a worker)
    returns the Session or raises. ``session`` holds the result once the dialog is accepted."""

    def __init__(
        self,
        parent: QWidget | None,
        bridge: Bridge,
        authenticate: Callable[[str, str], Session],
        *,
        login_hint: str = "",
        outgoing: Session | None = None,
    ) -> None:
        super().__init__(parent, bridge, "loginMessage")
        self.setObjectName("loginDialog")
        self._authenticate = authenticate
        self.session: Session | None = None
        handover = outgoing is not None
        self.setWindowTitle(self.tr("Changer d'opérateur") if handover else self.tr("vmwall — connexion"))
        heading = QLabel(self)
        heading.setObjectName("loginHeading")
        heading.setWordWrap(True)
        if outgoing is not None:
            heading.setText(
                self.tr("Relève : la session de %1 sera fermée et enregistrée.").replace("%1", outgoing.label)
            )
        else:
            heading.setText(self.tr("Compte nominatif : identifiez-vous pour accéder à la console."))
        self.login = QLineEdit(self)
        self.login.setObjectName("loginField")
        self.login.setMaxLength(MAX_LOGIN_LENGTH)
        self.login.setText("" if handover else login_hint)
        self.password = QLineEdit(self)
        self.password.setObjectName("passwordField")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(1024)
        form = QFormLayout()
        form.addRow(self.tr("Identifiant :"), self.login)
        form.addRow(self.tr("Mot de passe :"), self.password)
        self.buttons = QDialogButtonBox(self)
        self.sign_in_button = QPushButton(
            self.tr("Prendre la main") if handover else self.tr("Se connecter"), self
        )
        self.sign_in_button.setDefault(True)
        self.inputs = (self.login, self.password, self.sign_in_button)
        self.buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(
            self.tr("Annuler") if handover else self.tr("Quitter"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        (self.password if self.login.text() else self.login).setFocus()

    def submit(self) -> None:
        """Check the typed login and password on a worker; accept on success, say why otherwise."""
        if self.busy:
            return
        login = self.login.text().strip()
        password = self.password.text()
        self.password.clear()
        if not login or not password:
            self.show_message(self.tr("Saisissez votre identifiant et votre mot de passe."))
            (self.password if login else self.login).setFocus()
            return
        authenticate = self._authenticate
        self.check("sign in", lambda: authenticate(login, password), self._on_signed_in, self._on_refused)

    def _on_signed_in(self, session: Session) -> None:
        self.session = session
        self.accept()

    def _on_refused(self, error: Exception) -> None:
        self.show_message(refusal_text(error))
        self.password.setFocus()
