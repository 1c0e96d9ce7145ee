"""Sending mail over SMTP (smtplib), above the domain: kcsp.mailing decides what is due and records each
message; this turns a kcsp.mail_text.Mail into a MIME message and hands it to the server.

A message is multipart/alternative, plain text first, then HTML (UTF-8), with List-Unsubscribe and
List-Unsubscribe-Post (RFC 8058: one click, no sign-in) and Auto-Submitted: auto-generated (RFC 3834). The
connection follows KCSP_SMTP_TLS: ``tls`` (implicit TLS, port 465), ``starttls`` (port 587, the default) or
``off`` (port 25, for a relay on this machine); TLS verifies the server's certificate against the system's
trust store. KCSP_SMTP_USER and KCSP_SMTP_PASSWORD sign in when given.

Errors are sorted for kcsp.mailing: no connection or sign-in is MailUnavailable (nothing was handed over);
a refusal of the sender, the recipient or the message is MailRefused (not delivered, tried again later); a
connection that breaks while a message is handed over is MailUncertain (it may have been delivered, so it is
never sent again).
"""

from __future__ import annotations

import smtplib
import ssl
from email import policy
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr

from kcsp.mail_text import Mail
from kcsp.mailing import MailRefused, MailUnavailable, MailUncertain
from kcsp.settings import MailSettings, Settings

TIMEOUT_S = 30
POLICY = policy.SMTP.clone(max_line_length=998)
"""CRLF lines of up to 998 characters (RFC 5322): a long List-Unsubscribe address is sent as it is, not as
encoded words a mail client would not read as an address."""


def build_message(mail: Mail, sender: str, message_id: str) -> EmailMessage:
    """The MIME message: text and HTML alternatives, the unsubscribe headers, no tracking of any kind."""
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = formataddr((mail.recipient, mail.to))
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.text, subtype="plain", charset="utf-8")
    message.add_alternative(mail.html, subtype="html", charset="utf-8")
    return message


class SmtpSender:
    """One connection to the SMTP server for a run of kcsp.mailing.send_due (a context manager)."""

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSender:
        s = self.settings
        context = ssl.create_default_context()
        try:
            if s.tls == "tls":
                self.smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT_S, context=context)
            else:
                self.smtp = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_S)
                if s.tls == "starttls":
                    self.smtp.starttls(context=context)
            if s.user:
                self.smtp.login(s.user, s.password or "")
        except (OSError, smtplib.SMTPException) as err:
            self._close()
            raise MailUnavailable(f"cannot reach the mail server {s.host}:{s.port} ({type(err).__name__}: "
                                  f"{err})") from err
        return self

    def send(self, mail: Mail, message_id: str) -> None:
        if self.smtp is None:
            raise MailUncertain("the connection to the mail server is closed")
        message = build_message(mail, self.settings.sender, message_id)
        try:
            refused = self.smtp.send_message(message, from_addr=parseaddr(self.settings.sender)[1],
                                             to_addrs=[mail.to])
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as err:
            raise MailRefused(f"refused by the mail server: {err}") from err
        except smtplib.SMTPDataError as err:
            raise MailRefused(f"the mail server refused the message: {err.smtp_code} {err.smtp_error!r}") from err
        except (TimeoutError, smtplib.SMTPServerDisconnected, OSError, smtplib.SMTPException) as err:
            self._close()
            raise MailUncertain(f"the connection broke while the message was handed over ({type(err).__name__})") \
                from err
        if refused:
            raise MailRefused(f"the mail server refused {', '.join(refused)}")

    def _close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None

    def __exit__(self, *exc) -> None:
        self._close()


def connect(settings: Settings) -> SmtpSender:
    """The sender kcsp.mailing.send_due opens (mail must be configured)."""
    if settings.mail is None:
        raise MailUnavailable("mail is not configured (KCSP_SMTP_HOST is not set)")
    return SmtpSender(settings.mail)
