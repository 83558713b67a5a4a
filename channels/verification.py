"""Sending one-time verification codes: a WhatsApp authentication template, or an email.

The CRM decides when a code is due and what it proves (crm.services.verification); this
module knows how a business can reach a phone or an address. WhatsApp needs the
business's WhatsApp connection with an approved copy-code authentication template
(`mostrador connect whatsapp ... --otp-template-name NAME`); email needs the deployment's
SMTP settings (MOSTRADOR_SMTP_HOST ...). Codes and destinations are never logged.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from sqlmodel import Session, col, select

from channels.graph import GraphClient
from crm.crypto import SecretBox, box_for
from crm.models import ChannelConnection, ChannelKind, Tenant
from crm.services.connections import secrets_of
from crm.services.verification import CODE_TTL, CodeSender
from crm.settings import Settings

log = logging.getLogger("mostrador.channels.verification")

_SUBJECT = {"es": "Tu código de verificación de {business}",
            "en": "Your {business} verification code"}
_BODY = {
    "es": "Tu código de verificación es {code}.\n\nEscribilo en el chat de {business}. Vence "
          "en {minutes} minutos. Si no lo pediste, ignorá este mensaje: nadie puede ver tus "
          "datos sin este código.\n",
    "en": "Your verification code is {code}.\n\nType it in the {business} chat. It expires in "
          "{minutes} minutes. If you did not ask for it, ignore this message: nobody can see "
          "your data without this code.\n",
}


def otp_template_body(to: str, name: str, language: str, code: str) -> dict[str, object]:
    """A copy-code authentication template: the code fills the body and the button."""
    return {
        "messaging_product": "whatsapp", "recipient_type": "individual",
        "to": to.lstrip("+"), "type": "template",
        "template": {
            "name": name, "language": {"code": language},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": code}]},
                {"type": "button", "sub_type": "url", "index": "0",
                 "parameters": [{"type": "text", "text": code}]},
            ],
        },
    }


class ChannelCodeDelivery:
    """crm.services.verification.CodeDelivery over the Graph API and SMTP."""

    def __init__(self, settings: Settings, graph: GraphClient | None = None,
                 box: SecretBox | None = None) -> None:
        self.settings = settings
        self.graph = graph or GraphClient.from_settings(settings)
        self.box = box or box_for(settings)

    def available(self, db: Session, *, tenant: Tenant) -> frozenset[str]:
        found = set()
        if self._whatsapp(db, tenant=tenant) is not None:
            found.add("whatsapp")
        if self.settings.smtp_host:
            found.add("email")
        return frozenset(found)

    def sender(self, db: Session, *, tenant: Tenant, channel: str) -> CodeSender:
        if channel == "whatsapp":
            connection = self._whatsapp(db, tenant=tenant)
            assert connection is not None, "check available() first"
            token = secrets_of(connection, box=self.box).access_token
            path = f"{connection.account_id}/messages"
            name = connection.otp_template_name or ""
            language = connection.otp_template_language or "es"

            def send_whatsapp(to: str, code: str, _language: str) -> None:
                self.graph.post(path, token=token,
                                json=otp_template_body(to, name, language, code))
                log.info("verification code sent tenant=%s channel=whatsapp", tenant.slug)

            return send_whatsapp
        business = tenant.name

        def send_email(to: str, code: str, language: str) -> None:
            self._send_email(to=to, business=business, code=code,
                             language="en" if language == "en" else "es")
            log.info("verification code sent tenant=%s channel=email", tenant.slug)

        return send_email

    def _whatsapp(self, db: Session, *, tenant: Tenant) -> ChannelConnection | None:
        return db.exec(select(ChannelConnection).where(
            ChannelConnection.tenant_id == tenant.id,
            ChannelConnection.kind == ChannelKind.whatsapp, ChannelConnection.active,
            col(ChannelConnection.otp_template_name).is_not(None))).first()

    def _send_email(self, *, to: str, business: str, code: str, language: str) -> None:
        settings = self.settings
        assert settings.smtp_host is not None
        message = EmailMessage()
        message["From"] = settings.smtp_from
        message["To"] = to
        message["Subject"] = _SUBJECT[language].format(business=business)
        message.set_content(_BODY[language].format(
            code=code, business=business, minutes=int(CODE_TTL.total_seconds() // 60)))
        timeout = settings.smtp_timeout_seconds
        smtp: smtplib.SMTP
        if settings.smtp_tls == "ssl":
            smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
        with smtp:
            if settings.smtp_tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                password = settings.smtp_password.get_secret_value() \
                    if settings.smtp_password else ""
                smtp.login(settings.smtp_username, password)
            smtp.send_message(message)
