"""The report e-mail: text and HTML alternatives, charts embedded by Content-ID, PDF and CSV attached.

MIME structure (what mail clients expect for inline images plus attachments):

    multipart/mixed
      multipart/alternative
        text/plain
        multipart/related
          text/html            (<img src="cid:...">)
          image/png ...
      application/pdf
      text/csv ...

Django 5.2's EmailMultiAlternatives cannot nest a multipart/related inside the alternative, so
the message is built with the standard library's EmailMessage and sent through Django's mail
backend (EMAIL_BACKEND, EMAIL_TIMEOUT).
"""

from __future__ import annotations

import email.policy
import hashlib
from email.message import EmailMessage as MimeMessage
from email.utils import formatdate

from django.core.mail import EmailMessage


class _SmtpMimeMessage(MimeMessage):
    """Accepts the `linesep` argument Django's SMTP backend passes to as_bytes()."""

    def as_bytes(self, unixfrom: bool = False, policy=None, linesep: str = "\n") -> bytes:  # type: ignore[override]
        return super().as_bytes(unixfrom, (policy or self.policy).clone(linesep=linesep))


class ReportEmail(EmailMessage):
    """One recipient's copy of a compliance report."""

    def __init__(
        self,
        *,
        subject: str,
        text: str,
        html: str,
        images: dict[str, bytes],
        pdf: tuple[str, bytes],
        csv_files: dict[str, str],
        from_email: str,
        to: str,
        message_id: str,
    ):
        super().__init__(subject=subject, body=text, from_email=from_email, to=[to])
        self.html, self.images, self.pdf, self.csv_files, self.message_id = html, images, pdf, csv_files, message_id

    def message(self) -> MimeMessage:  # type: ignore[override]
        mime = _SmtpMimeMessage(policy=email.policy.SMTP)
        mime["Subject"] = self.subject
        mime["From"] = self.from_email
        mime["To"] = ", ".join(self.to)
        mime["Date"] = formatdate(localtime=False)
        # A stable id per report and recipient: a receiving system can drop a copy it already has.
        mime["Message-ID"] = self.message_id
        mime.set_content(self.body)
        mime.add_alternative(self.html, subtype="html")
        html_part = mime.get_payload()[1]
        for content_id, png in self.images.items():
            html_part.add_related(png, maintype="image", subtype="png", cid=f"<{content_id}>", filename=content_id,
                                  disposition="inline")
        pdf_name, pdf_bytes = self.pdf
        mime.add_attachment(pdf_bytes, maintype="application", subtype="pdf", filename=pdf_name)
        for name, content in self.csv_files.items():
            mime.add_attachment(content.encode(), maintype="text", subtype="csv", filename=name)
        return mime


def message_id_for(report_id: int, recipient: str, domain: str) -> str:
    token = hashlib.sha256(f"{report_id}:{recipient}".encode()).hexdigest()[:24]
    return f"<compliance-report-{report_id}-{token}@{domain}>"
