// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// The message catalog: every text the messages layer shows, in one place.
//
// Rules for the texts (tests/unit/messages/messages.cpp checks them):
// - One entry per condition (DESIGN.md names), plus a few more specific message ids.
// - List lines: at most 90 code points after filling the placeholders (addresses of 40
//   characters), no final period, no server text. The last line variant has no placeholder.
// - Details: two to four sentences: what happened, whose fault it is, what to do.
// - German: Sie-form, real umlauts and ß, „…“ quotes. English: “…” quotes.
// - Placeholders: {recipient}, {limit} (formatted size), {forward} (a 551 forward-path).
// - Where the product's original help page covered a code (seed-codes.md), the text carries
//   its advice: 421/450/452 try later, 451 not your fault, 530/535 update the password,
//   554 check the addresses; 454 after AUTH is temporary and never asks for a new password.

#include "messages/catalog.hpp"

#include <iterator>

namespace smtperr::detail {

namespace {

// clang-format off
constexpr catalog_entry catalog[] = {
    // ---------------------------------------------------------------- positive reply
    {"none", {{
        {{"Accepted by the server"},
         {"The server accepted the request. Nothing needs to be done."}},
        {{"Vom Server angenommen"},
         {"Der Server hat die Anfrage angenommen. Sie müssen nichts weiter tun."}},
    }}},

    // ---------------------------------------------------------------- account and sign-in
    {"authentication_required", {{  // 530
        {{"Sign-in required – please update your password"},
         {"Your email provider only sends messages after you have signed in, and the sign-in "
          "for the outgoing server is missing or no longer valid. This usually happens when "
          "the password was changed or was never entered for sending. Update the password in "
          "the account settings; until then the message stays in the outbox."}},
        {{"Anmeldung erforderlich – bitte Passwort aktualisieren"},
         {"Ihr E-Mail-Anbieter versendet Nachrichten erst nach einer Anmeldung, und die "
          "Anmeldung am Postausgangsserver fehlt oder ist nicht mehr gültig. Meist wurde das "
          "Passwort geändert oder für den Versand nie eingetragen. Aktualisieren Sie das "
          "Passwort in den Kontoeinstellungen; bis dahin bleibt die Nachricht im Postausgang."}},
    }}},
    {"authentication_failed", {{  // 535
        {{"Sign-in failed – please update your password"},
         {"Your email provider rejected the sign-in because the user name or password is not "
          "correct. This often happens after the password was changed elsewhere, for example "
          "on the provider's website. Update the password in the app; until then the message "
          "stays in the outbox."}},
        {{"Anmeldung fehlgeschlagen – bitte Passwort aktualisieren"},
         {"Ihr E-Mail-Anbieter hat die Anmeldung abgelehnt, weil Benutzername oder Passwort "
          "nicht stimmen. Das passiert häufig, nachdem das Passwort an anderer Stelle geändert "
          "wurde, etwa auf der Website des Anbieters. Aktualisieren Sie das Passwort in der "
          "App; bis dahin bleibt die Nachricht im Postausgang."}},
    }}},
    {"authentication_temporary_failure", {{  // 454 after AUTH (RFC 4954: do not re-prompt)
        {{"Sign-in temporarily not possible – try again later"},
         {"Your provider's server could not check your sign-in at the moment. This is a "
          "temporary problem on the server and not caused by your password, so please do not "
          "change it. Send the message again in a few minutes."}},
        {{"Anmeldung vorübergehend nicht möglich – später erneut senden"},
         {"Der Server Ihres Anbieters konnte Ihre Anmeldung im Moment nicht prüfen. Das ist "
          "eine vorübergehende Störung des Servers und liegt nicht an Ihrem Passwort – ändern "
          "Sie es deshalb bitte nicht. Senden Sie die Nachricht in einigen Minuten erneut."}},
    }}},
    {"authentication_unavailable", {{
        {{"Server offers no suitable sign-in – check account settings"},
         {"The outgoing server does not offer a sign-in method that the app can use. Often the "
          "server name, port or encryption in the account settings is wrong; some servers only "
          "offer sign-in over an encrypted connection. Compare the settings with your "
          "provider's instructions."}},
        {{"Server bietet keine passende Anmeldung an – Kontoeinstellungen prüfen"},
         {"Der Postausgangsserver bietet kein Anmeldeverfahren an, das die App verwenden kann. "
          "Häufig sind Servername, Port oder Verschlüsselung in den Kontoeinstellungen falsch; "
          "manche Server bieten die Anmeldung nur über eine verschlüsselte Verbindung an. "
          "Vergleichen Sie die Einstellungen mit den Angaben Ihres Anbieters."}},
    }}},
    {"smtp_auth_disabled", {{  // authentication_unavailable: turned off by an admin
        {{"Sending from apps is turned off for your account – ask your admin"},
         {"Your organization or provider has turned off sign-in for sending mail from apps "
          "like this one (SMTP AUTH). A new password does not help. Ask your administrator to "
          "allow it for your account, or set the account up again with sign-in through your "
          "provider (OAuth) if the app offers it."}},
        {{"Versand aus Apps für Ihr Konto abgeschaltet – Administrator fragen"},
         {"Ihre Organisation oder Ihr Anbieter hat die Anmeldung zum Versand aus Apps wie "
          "dieser (SMTP AUTH) abgeschaltet. Ein neues Passwort hilft nicht. Bitten Sie Ihren "
          "Administrator, sie für Ihr Konto freizugeben, oder richten Sie das Konto mit der "
          "Anmeldung über Ihren Anbieter (OAuth) neu ein, falls die App das anbietet."}},
    }}},
    {"smtp_access_off", {{  // authentication_unavailable: the mailbox's own SMTP switch
        {{"Sending from apps is off for this mailbox – turn it on at your provider"},
         {"Your provider lets apps send mail only once SMTP access is turned on for the "
          "mailbox. Sign in on the provider's website, turn on POP3/IMAP/SMTP access in the "
          "mailbox settings (some providers then give you a code to use as the password) and "
          "send the message again."}},
        {{"Versand aus Apps für dieses Postfach ausgeschaltet – beim Anbieter einschalten"},
         {"Ihr Anbieter erlaubt den Versand aus Apps erst, wenn der SMTP-Zugang für das "
          "Postfach eingeschaltet ist. Melden Sie sich auf der Website des Anbieters an, "
          "schalten Sie in den Postfacheinstellungen den Zugang per POP3/IMAP/SMTP ein (manche "
          "Anbieter geben Ihnen dann einen Code, der als Passwort dient) und senden Sie die "
          "Nachricht erneut."}},
    }}},
    {"auth_mechanism_rejected", {{
        {{"Sign-in method not accepted – check account settings"},
         {"The server does not accept the sign-in method that the app used. Check the "
          "authentication method and the encryption in the account settings; over an "
          "encrypted connection (SSL/TLS or STARTTLS) more methods are often available."}},
        {{"Anmeldeverfahren nicht akzeptiert – Kontoeinstellungen prüfen"},
         {"Der Server akzeptiert das Anmeldeverfahren nicht, das die App verwendet hat. Prüfen "
          "Sie in den Kontoeinstellungen die Art der Anmeldung und die Verschlüsselung; über "
          "eine verschlüsselte Verbindung (SSL/TLS oder STARTTLS) stehen oft weitere Verfahren "
          "zur Verfügung."}},
    }}},
    {"app_password_required", {{
        {{"App password required – create one at your provider"},
         {"Your provider does not let email apps sign in with your normal password, for "
          "example because two-factor authentication is turned on. Create an app password in "
          "your account's security settings at the provider. Then enter it in the app instead "
          "of your normal password."}},
        {{"App-Passwort erforderlich – bitte beim Anbieter erstellen"},
         {"Ihr Anbieter erlaubt E-Mail-Apps keine Anmeldung mit Ihrem normalen Passwort, zum "
          "Beispiel weil die Zwei-Faktor-Authentifizierung aktiviert ist. Erstellen Sie in den "
          "Sicherheitseinstellungen Ihres Kontos beim Anbieter ein App-Passwort. Tragen Sie es "
          "anschließend in der App anstelle Ihres normalen Passworts ein."}},
    }}},
    {"web_login_required", {{
        {{"Please sign in once on your provider's website"},
         {"Your provider wants you to sign in once in a web browser, for example to confirm a "
          "security check or new terms of use. Sign in on your provider's website and follow "
          "the instructions there. Afterwards you can send the message again."}},
        {{"Bitte einmal auf der Website Ihres Anbieters anmelden"},
         {"Ihr Anbieter verlangt, dass Sie sich einmal im Webbrowser anmelden, zum Beispiel um "
          "eine Sicherheitsabfrage oder geänderte Nutzungsbedingungen zu bestätigen. Melden Sie "
          "sich auf der Website Ihres Anbieters an und folgen Sie den Hinweisen dort. Danach "
          "können Sie die Nachricht erneut senden."}},
    }}},
    {"oauth_token_invalid", {{
        {{"Sign-in expired – please sign in again"},
         {"The app's sign-in with your provider has expired or was revoked. The app tries to "
          "renew it by itself; if that does not work, please sign in again. You do not need to "
          "change your password for this."}},
        {{"Anmeldung abgelaufen – bitte erneut anmelden"},
         {"Die Anmeldung der App bei Ihrem Anbieter ist abgelaufen oder wurde widerrufen. Die "
          "App versucht, sie selbst zu erneuern; gelingt das nicht, melden Sie sich bitte "
          "erneut an. Ihr Passwort müssen Sie dafür nicht ändern."}},
    }}},
    {"basic_auth_disabled", {{
        {{"Password sign-in is turned off for this account"},
         {"Your provider or your organization has turned off sign-in with user name and "
          "password for sending mail. Set up the account again with your provider's sign-in "
          "(OAuth), or ask your IT department to enable SMTP authentication (SMTP AUTH) for "
          "your mailbox."}},
        {{"Anmeldung per Passwort ist für dieses Konto abgeschaltet"},
         {"Ihr Anbieter oder Ihre Organisation hat die Anmeldung mit Benutzername und Passwort "
          "für den Versand abgeschaltet. Richten Sie das Konto mit der Anmeldung über Ihren "
          "Anbieter (OAuth) neu ein, oder bitten Sie Ihre IT-Abteilung, die SMTP-Anmeldung "
          "(SMTP AUTH) für Ihr Postfach freizuschalten."}},
    }}},
    {"password_expired", {{
        {{"Password expired – please change it at your provider"},
         {"Your password has expired and must be renewed. Change it on your provider's "
          "website, then enter the new password in the app."}},
        {{"Passwort abgelaufen – bitte beim Anbieter ändern"},
         {"Ihr Passwort ist abgelaufen und muss erneuert werden. Ändern Sie es auf der Website "
          "Ihres Anbieters und tragen Sie das neue Passwort anschließend in der App ein."}},
    }}},
    {"account_restricted", {{
        {{"Sending blocked for your account – contact your provider"},
         {"Your provider has restricted sending for your account, temporarily or permanently, "
          "for example because of suspected spam or unauthorized access. Sign in on your "
          "provider's website or contact their support to have the restriction lifted. If the "
          "block comes as a surprise, change your password as a precaution."}},
        {{"Versand für Ihr Konto gesperrt – bitte Anbieter kontaktieren"},
         {"Ihr Anbieter hat den Versand für Ihr Konto vorübergehend oder dauerhaft "
          "eingeschränkt, zum Beispiel wegen des Verdachts auf Spam oder auf "
          "unbefugten Zugriff. Melden Sie sich auf der Website Ihres Anbieters an oder wenden Sie sich an "
          "dessen Kundendienst, um die Sperre aufheben zu lassen. Kommt die Sperre für Sie "
          "überraschend, ändern Sie vorsichtshalber Ihr Passwort."}},
    }}},
    {"encryption_required", {{
        {{"Server requires an encrypted connection – check account settings"},
         {"The server only accepts messages over an encrypted connection. In the account "
          "settings, set the encryption to SSL/TLS or STARTTLS as your provider specifies."}},
        {{"Server verlangt eine verschlüsselte Verbindung – Kontoeinstellungen prüfen"},
         {"Der Server nimmt Nachrichten nur über eine verschlüsselte Verbindung an. Stellen Sie "
          "in den Kontoeinstellungen die Verschlüsselung auf SSL/TLS oder STARTTLS, so wie Ihr "
          "Anbieter es vorgibt."}},
    }}},
    {"tls_unavailable", {{  // 454 after STARTTLS
        {{"Encryption temporarily unavailable – try again later"},
         {"The server could not set up an encrypted connection just now. The app does not send "
          "without encryption, so your password and message stay protected. Try again later; "
          "if the problem persists, contact your provider."}},
        {{"Verschlüsselung vorübergehend nicht verfügbar – später erneut senden"},
         {"Der Server konnte gerade keine verschlüsselte Verbindung aufbauen. Die App sendet "
          "nicht unverschlüsselt, damit Ihr Passwort und Ihre Nachricht geschützt bleiben. "
          "Versuchen Sie es später erneut; hält das Problem an, wenden Sie sich an Ihren "
          "Anbieter."}},
    }}},

    // ---------------------------------------------------------------- sender and limits
    {"sender_rejected", {{
        {{"Sender address not accepted – check the sender address"},
         {"The server does not accept messages from this sender address. This happens when the "
          "address does not belong to your account or you lack the right to send from it. "
          "Check the sender and the identities in the account settings."}},
        {{"Absenderadresse nicht akzeptiert – bitte Absender prüfen"},
         {"Der Server nimmt keine Nachrichten mit dieser Absenderadresse an. Das passiert, wenn "
          "die Adresse nicht zu Ihrem Konto gehört oder Sie nicht berechtigt sind, mit dieser "
          "Adresse zu senden. Prüfen Sie den Absender und die Identitäten in den Kontoeinstellungen."}},
    }}},
    {"sending_quota_exceeded", {{
        {{"Daily sending limit reached – try again later"},
         {"You have reached the number of messages or recipients your provider allows per day. "
          "The message can be sent once the limit resets, usually within 24 hours. If you have "
          "not sent that much yourself, change your password: someone else may be using your "
          "account."}},
        {{"Tägliches Versandlimit erreicht – später erneut senden"},
         {"Sie haben die Höchstzahl an Nachrichten oder Empfängern erreicht, die Ihr Anbieter "
          "pro Tag zulässt. Die Nachricht kann gesendet werden, sobald das Limit zurückgesetzt "
          "ist, meist innerhalb von 24 Stunden. Haben Sie selbst nicht so viel versendet, "
          "ändern Sie Ihr Passwort: Möglicherweise nutzt jemand anderes Ihr Konto."}},
    }}},
    {"rate_limited", {{
        {{"Too many messages in a short time – try again later"},
         {"Your provider limits how many messages or connections are allowed in a short time, "
          "and that limit has been reached. Wait a few minutes, then send the message again."}},
        {{"Zu viele Nachrichten in kurzer Zeit – später erneut senden"},
         {"Ihr Anbieter begrenzt, wie viele Nachrichten oder Verbindungen in kurzer Zeit "
          "möglich sind, und diese Grenze ist gerade erreicht. Warten Sie einige Minuten und "
          "senden Sie die Nachricht dann erneut."}},
    }}},
    {"too_many_sign_ins", {{  // rate_limited: sign-in attempts, not messages
        {{"Too many sign-in attempts – wait, then check the password"},
         {"The server has seen too many sign-in attempts for your account in a short time and "
          "refuses new ones for a while. If the password in the account settings is wrong, "
          "correct it; the app tries again later."}},
        {{"Zu viele Anmeldeversuche – warten, dann Passwort prüfen"},
         {"Der Server hat in kurzer Zeit zu viele Anmeldeversuche für Ihr Konto gezählt und "
          "lehnt weitere eine Weile ab. Ist das Passwort in den Kontoeinstellungen falsch, "
          "korrigieren Sie es; die App versucht es später erneut."}},
    }}},
    {"sender_throttled", {{  // rate_limited: sending paused after repeated errors
        {{"Sending paused after repeated errors – fix their cause"},
         {"Your provider paused sending from your account because earlier messages kept "
          "failing, for example with a sender address you may not use or with recipients that "
          "do not exist. Correct what caused those errors; sending resumes by itself after a "
          "while."}},
        {{"Versand nach wiederholten Fehlern pausiert – Ursache beheben"},
         {"Ihr Anbieter hat den Versand von Ihrem Konto pausiert, weil frühere Nachrichten "
          "immer wieder fehlschlugen, etwa mit einer Absenderadresse, die Sie nicht verwenden "
          "dürfen, oder mit Empfängern, die es nicht gibt. Beheben Sie die Ursache; nach einer "
          "Weile ist der Versand von selbst wieder möglich."}},
    }}},
    {"greylisted", {{
        {{"Temporarily deferred by the server – try again later"},
         {"To fend off spam, the server accepts messages from unknown senders only on a second "
          "attempt a little later (greylisting). This is normal and not an error on your side. "
          "The next attempt in a few minutes usually succeeds."}},
        {{"Vom Server vorübergehend zurückgestellt – später erneut senden"},
         {"Zum Schutz vor Spam nimmt der Server Nachrichten unbekannter Absender erst bei einem "
          "zweiten Versuch etwas später an (Greylisting). Das ist normal und kein Fehler "
          "Ihrerseits. Der nächste Versuch in einigen Minuten gelingt in der Regel."}},
    }}},
    {"client_blocked", {{
        {{"Server blocks your connection – try another network"},
         {"The server refuses connections from your current internet address, for example "
          "because it is on a blocklist. This often affects public Wi-Fi, VPNs and some mobile "
          "networks. Try again over a different connection or contact your provider."}},
        {{"Server blockiert Ihre Verbindung – anderes Netzwerk versuchen"},
         {"Der Server lehnt Verbindungen von Ihrer aktuellen Internetadresse ab, etwa weil sie "
          "auf einer Sperrliste steht. Das betrifft häufig öffentliche WLANs, VPNs und manche "
          "Mobilfunknetze. Versuchen Sie es über eine andere Verbindung oder wenden Sie sich an "
          "Ihren Anbieter."}},
    }}},
    {"helo_rejected", {{  // client_blocked: the name the client gave in HELO/EHLO
        {{"Server rejected your device's name – contact your provider"},
         {"The server refused the name this app gives for your device when it connects, for "
          "example because it is not a full domain name. This is not about your message or its "
          "recipients. Contact your provider if it keeps happening."}},
        {{"Server lehnt den Gerätenamen ab – Anbieter kontaktieren"},
         {"Der Server hat den Namen abgelehnt, mit dem sich diese App beim Verbinden meldet, "
          "etwa weil er kein vollständiger Domainname ist. Das liegt weder an Ihrer Nachricht "
          "noch an den Empfängern. Wenden Sie sich an Ihren Anbieter, wenn es wieder "
          "vorkommt."}},
    }}},
    {"recipient_restricted", {{  // recipient_mailbox_unavailable: a group's sender list
        {{"Recipient takes mail only from certain senders – contact them"},
         {"The recipient, often a group or distribution list, accepts messages only from "
          "certain senders or from signed-in members of its organization, and you are not one "
          "of them. Ask the recipient or the list's owner to allow you, or reach them another "
          "way."}},
        {{"Empfänger nimmt nur Post bestimmter Absender an – Empfänger fragen"},
         {"Der Empfänger, oft eine Gruppe oder Verteilerliste, nimmt nur Nachrichten von "
          "bestimmten Absendern oder angemeldeten Mitgliedern seiner Organisation an, und Sie "
          "gehören nicht dazu. Bitten Sie den Empfänger oder den Verantwortlichen der Liste, "
          "Sie zuzulassen, oder erreichen Sie ihn auf anderem Weg."}},
    }}},
    {"admin_policy", {{  // transaction_rejected: a rule of the sender's organization
        {{"Blocked by a rule of your organization – ask your admin"},
         {"A rule that your organization's administrator set up for the mail service blocked "
          "this message, because of its sender, its recipients or its content. Ask your "
          "administrator which rule applies."}},
        {{"Von einer Regel Ihrer Organisation blockiert – Administrator fragen"},
         {"Eine Regel, die der Administrator Ihrer Organisation für den Mailversand "
          "eingerichtet hat, hat diese Nachricht wegen ihres Absenders, ihrer Empfänger oder "
          "ihres Inhalts blockiert. Fragen Sie Ihren Administrator, welche Regel greift."}},
    }}},
    {"sender_mailbox_busy", {{  // transient_failure: 450 to MAIL, the sender's own mailbox
        {{"Your mailbox is busy on the server – trying again later"},
         {"The server could not use your own mailbox just now, for example because it is "
          "locked or busy. This is temporary; the app sends the message again later."}},
        {{"Ihr Postfach ist auf dem Server gerade belegt – neuer Versuch später"},
         {"Der Server konnte Ihr eigenes Postfach gerade nicht verwenden, etwa weil es "
          "gesperrt oder belegt ist. Das ist vorübergehend; die App sendet die Nachricht "
          "später erneut."}},
    }}},
    {"relay_denied", {{
        {{"Sending without sign-in not allowed – check account settings"},
         {"The server only forwards messages to other domains once you are signed in. Usually "
          "sign-in for the outgoing server is turned off in the account settings, or the wrong "
          "server is entered. Turn on sign-in and check the server and port."}},
        {{"Versand ohne Anmeldung nicht erlaubt – Kontoeinstellungen prüfen"},
         {"Der Server nimmt Nachrichten an andere Domains nur an, wenn Sie angemeldet sind. "
          "Meist ist in den Kontoeinstellungen die Anmeldung am Postausgangsserver ausgeschaltet "
          "oder ein falscher Server eingetragen. Schalten Sie die Anmeldung ein und prüfen Sie "
          "Server und Port."}},
    }}},
    {"spam_rejected", {{
        {{"Rejected by the server as suspected spam"},
         {"The server classified the message as possible spam and rejected it. Certain links, "
          "attachments or wording can trigger this. Change the message and send it again; if "
          "it is rejected again, contact your provider."}},
        {{"Vom Server als Spam eingestuft und abgelehnt"},
         {"Der Server hat die Nachricht als möglichen Spam eingestuft und abgelehnt. Auslöser "
          "können bestimmte Links, Anhänge oder Formulierungen sein. Ändern Sie die Nachricht "
          "und senden Sie sie erneut; wird sie wieder abgelehnt, wenden Sie sich an Ihren "
          "Anbieter."}},
    }}},
    {"domain_policy_rejected", {{
        {{"Not allowed by the server – check sender and recipients"},
         {"The server did not allow this message. Often the sender address may not send with "
          "your account, or it fails a security check of the sender's domain (such as SPF or "
          "DMARC), mostly when it does not belong to your provider; sometimes a recipient "
          "address is not valid. Send with your account's own address and check the "
          "recipients."}},
        {{"Vom Server nicht zugelassen – Absender und Empfänger prüfen"},
         {"Der Server hat diese Nachricht nicht zugelassen. Häufig darf die Absenderadresse mit "
          "Ihrem Konto nicht senden oder besteht eine Sicherheitsprüfung der Absenderdomain "
          "(etwa SPF oder DMARC) nicht, meist weil sie nicht zu Ihrem Anbieter gehört; "
          "manchmal ist eine Empfängeradresse ungültig. Senden Sie mit der Adresse Ihres "
          "Kontos und prüfen Sie die Empfänger."}},
    }}},

    // ---------------------------------------------------------------- recipient
    {"recipient_unknown", {{
        {{"Recipient {recipient} unknown – check the address",
          "Recipient unknown – check the address"},
         {"The recipient's server does not know the address {recipient}. It may contain a "
          "typo, or the mailbox no longer exists. Check the address; the other recipients are "
          "not affected.",
          "The recipient's server does not know this address. It may contain a typo, or the "
          "mailbox no longer exists. Check the address; the other recipients are not "
          "affected."}},
        {{"Empfänger {recipient} unbekannt – Adresse prüfen",
          "Empfänger unbekannt – Adresse prüfen"},
         {"Der Server des Empfängers kennt die Adresse {recipient} nicht. Vielleicht enthält "
          "sie einen Tippfehler, oder das Postfach existiert nicht mehr. Prüfen Sie die "
          "Adresse; die übrigen Empfänger sind davon nicht betroffen.",
          "Der Server des Empfängers kennt diese Adresse nicht. Vielleicht enthält sie einen "
          "Tippfehler, oder das Postfach existiert nicht mehr. Prüfen Sie die Adresse; die "
          "übrigen Empfänger sind davon nicht betroffen."}},
    }}},
    {"recipient_address_invalid", {{  // 553
        {{"Recipient address {recipient} is invalid",
          "Invalid recipient address – please check it"},
         {"The server considers the recipient address {recipient} invalid, for example because "
          "of a typo, a space or a character that is not allowed. Correct the address and send "
          "the message again.",
          "The server considers a recipient address invalid, for example because of a typo, a "
          "space or a character that is not allowed. Correct the address and send the message "
          "again."}},
        {{"Empfängeradresse {recipient} ist ungültig",
          "Ungültige Empfängeradresse – bitte prüfen"},
         {"Der Server hält die Empfängeradresse {recipient} für ungültig, etwa wegen eines "
          "Tippfehlers, eines Leerzeichens oder eines unzulässigen Zeichens. Korrigieren Sie "
          "die Adresse und senden Sie die Nachricht erneut.",
          "Der Server hält eine Empfängeradresse für ungültig, etwa wegen eines Tippfehlers, "
          "eines Leerzeichens oder eines unzulässigen Zeichens. Korrigieren Sie die Adresse und "
          "senden Sie die Nachricht erneut."}},
    }}},
    {"recipient_domain_invalid", {{
        {{"Domain of {recipient} not found – check the address",
          "Recipient's domain not found – check the address"},
         {"The domain after the @ in {recipient} does not exist or does not accept email. Often "
          "this is a typo such as “gmial.com”. Check the address and send the message again.",
          "The domain after the @ in the address does not exist or does not accept email. Often "
          "this is a typo such as “gmial.com”. Check the address and send the message again."}},
        {{"Domain von {recipient} nicht gefunden – Adresse prüfen",
          "Domain des Empfängers nicht gefunden – Adresse prüfen"},
         {"Die Domain nach dem @ in {recipient} gibt es nicht, oder sie nimmt keine E-Mails "
          "an. Oft steckt ein Tippfehler dahinter, etwa „gmial.com“. Prüfen Sie die Adresse und "
          "senden Sie die Nachricht erneut.",
          "Die Domain nach dem @ in der Adresse gibt es nicht, oder sie nimmt keine E-Mails an. "
          "Oft steckt ein Tippfehler dahinter, etwa „gmial.com“. Prüfen Sie die Adresse und "
          "senden Sie die Nachricht erneut."}},
    }}},
    {"recipient_mailbox_full", {{
        {{"Mailbox of {recipient} is full", "Recipient's mailbox is full"},
         {"The mailbox of {recipient} is full and does not accept messages at the moment. This "
          "is not caused by you. Try again later, or let the recipient know some other way.",
          "The recipient's mailbox is full and does not accept messages at the moment. This is "
          "not caused by you. Try again later, or let the recipient know some other way."}},
        {{"Postfach von {recipient} ist voll", "Postfach des Empfängers ist voll"},
         {"Das Postfach von {recipient} ist voll und nimmt zurzeit keine Nachrichten an. Das "
          "liegt nicht an Ihnen. Versuchen Sie es später erneut oder informieren Sie den "
          "Empfänger auf anderem Weg.",
          "Das Postfach des Empfängers ist voll und nimmt zurzeit keine Nachrichten an. Das "
          "liegt nicht an Ihnen. Versuchen Sie es später erneut oder informieren Sie den "
          "Empfänger auf anderem Weg."}},
    }}},
    {"recipient_mailbox_unavailable", {{  // 550 (and 450 without a more specific id)
        {{"Mailbox of {recipient} unavailable", "Recipient's mailbox unavailable"},
         {"The mailbox of {recipient} cannot be reached: it was not found, is locked, or "
          "refuses messages for policy reasons. Sending again is unlikely to help: check the "
          "address or contact the recipient some other way.",
          "The recipient's mailbox cannot be reached: it was not found, is locked, or refuses "
          "messages for policy reasons. Sending again is unlikely to help: check the address or "
          "contact the recipient some other way."}},
        {{"Postfach von {recipient} nicht verfügbar", "Postfach des Empfängers nicht verfügbar"},
         {"Das Postfach von {recipient} ist nicht erreichbar: Es wurde nicht gefunden, ist "
          "gesperrt oder nimmt aus Richtliniengründen keine Nachrichten an. Ein erneuter "
          "Versuch hilft voraussichtlich nicht: Prüfen Sie die Adresse oder erreichen Sie den "
          "Empfänger auf anderem Weg.",
          "Das Postfach des Empfängers ist nicht erreichbar: Es wurde nicht gefunden, ist "
          "gesperrt oder nimmt aus Richtliniengründen keine Nachrichten an. Ein erneuter "
          "Versuch hilft voraussichtlich nicht: Prüfen Sie die Adresse oder erreichen Sie den "
          "Empfänger auf anderem Weg."}},
    }}},
    {"recipient_mailbox_unavailable_temporary", {{  // 450: e.g. locked, try later
        {{"Mailbox of {recipient} temporarily unavailable",
          "Recipient's mailbox temporarily unavailable – try again later"},
         {"The mailbox of {recipient} is temporarily unavailable, for example because it is "
          "locked or busy. Nothing is wrong with your message. Send it again later.",
          "The recipient's mailbox is temporarily unavailable, for example because it is "
          "locked or busy. Nothing is wrong with your message. Send it again later."}},
        {{"Postfach von {recipient} vorübergehend nicht verfügbar",
          "Postfach des Empfängers vorübergehend nicht verfügbar – später erneut senden"},
         {"Das Postfach von {recipient} ist vorübergehend nicht verfügbar, zum Beispiel weil "
          "es gesperrt oder ausgelastet ist. Mit Ihrer Nachricht ist alles in Ordnung. Senden "
          "Sie sie später erneut.",
          "Das Postfach des Empfängers ist vorübergehend nicht verfügbar, zum Beispiel weil es "
          "gesperrt oder ausgelastet ist. Mit Ihrer Nachricht ist alles in Ordnung. Senden Sie "
          "sie später erneut."}},
    }}},
    {"recipient_not_local", {{  // 551: the forward-path is only shown, never used by itself
        {{"Server names a new recipient address: {forward}",
          "Server does not handle mail for {recipient}",
          "Recipient not handled by this server – check the address"},
         {"The server does not handle mail for this recipient and names {forward} as the new "
          "address. Check that this address is right before you send the message there; the "
          "app does not change the recipient by itself.",
          "The server does not handle mail for this recipient. Check the address, or ask the "
          "recipient for their current address."}},
        {{"Server nennt neue Empfängeradresse: {forward}",
          "Server ist für {recipient} nicht zuständig",
          "Server ist für diesen Empfänger nicht zuständig – Adresse prüfen"},
         {"Der Server ist für diesen Empfänger nicht zuständig und nennt {forward} als neue "
          "Adresse. Prüfen Sie, ob diese Adresse stimmt, bevor Sie die Nachricht dorthin "
          "senden; die App ändert den Empfänger nicht von sich aus.",
          "Der Server ist für diesen Empfänger nicht zuständig. Prüfen Sie die Adresse oder "
          "fragen Sie den Empfänger nach seiner aktuellen Adresse."}},
    }}},
    {"too_many_recipients", {{
        {{"Too many recipients for one message"},
         {"The server does not accept this many recipients in a single message. The remaining "
          "recipients get the message in a further sending pass. If that fails as well, split "
          "the recipients across several messages."}},
        {{"Zu viele Empfänger für eine Nachricht"},
         {"Der Server nimmt nicht so viele Empfänger in einer einzigen Nachricht an. Die "
          "übrigen Empfänger erhalten die Nachricht in einem weiteren Sendevorgang. Gelingt "
          "auch das nicht, verteilen Sie die Empfänger auf mehrere Nachrichten."}},
    }}},
    {"international_address_unsupported", {{
        {{"Address {recipient} contains unsupported characters",
          "Server does not support addresses with international characters"},
         {"The address {recipient} contains characters outside the basic Latin alphabet, such "
          "as accented letters, and the server cannot transmit such addresses. Ask the "
          "recipient for an address without special characters.",
          "An address contains characters outside the basic Latin alphabet, such as accented "
          "letters, and the server cannot transmit such addresses. Ask the recipient for an "
          "address without special characters."}},
        {{"Adresse {recipient} enthält nicht unterstützte Zeichen",
          "Server unterstützt keine Adressen mit Umlauten oder Sonderzeichen"},
         {"Die Adresse {recipient} enthält Zeichen außerhalb des lateinischen Grundalphabets, "
          "etwa Umlaute, und der Server kann solche Adressen nicht übertragen. Fragen Sie den "
          "Empfänger nach einer Adresse ohne Sonderzeichen.",
          "Eine Adresse enthält Zeichen außerhalb des lateinischen Grundalphabets, etwa "
          "Umlaute, und der Server kann solche Adressen nicht übertragen. Fragen Sie den "
          "Empfänger nach einer Adresse ohne Sonderzeichen."}},
    }}},

    // ---------------------------------------------------------------- message
    {"message_too_large", {{  // 552 (size), 5.3.4
        {{"Message too large – the server accepts at most {limit}",
          "Message too large for the server – reduce attachments"},
         {"The message including attachments is larger than the server accepts (at most "
          "{limit}). Attachments grow by about a third when they are sent. Make the attachments "
          "smaller or spread them over several messages; for large files, a link to cloud "
          "storage works better.",
          "The message including attachments is larger than the server accepts. Attachments "
          "grow by about a third when they are sent. Make the attachments smaller or spread "
          "them over several messages; for large files, a link to cloud storage works "
          "better."}},
        {{"Nachricht zu groß – der Server nimmt höchstens {limit} an",
          "Nachricht zu groß für den Server – Anhänge verkleinern"},
         {"Die Nachricht ist samt Anhängen größer, als der Server zulässt (höchstens {limit}). "
          "Beim Versand werden Anhänge etwa um ein Drittel größer. Verkleinern Sie die Anhänge "
          "oder verteilen Sie sie auf mehrere Nachrichten; für große Dateien eignet sich ein "
          "Link zu einem Cloud-Speicher besser.",
          "Die Nachricht ist samt Anhängen größer, als der Server zulässt. Beim Versand werden "
          "Anhänge etwa um ein Drittel größer. Verkleinern Sie die Anhänge oder verteilen Sie "
          "sie auf mehrere Nachrichten; für große Dateien eignet sich ein Link zu einem "
          "Cloud-Speicher besser."}},
    }}},
    {"message_content_rejected", {{
        {{"Message content rejected by the server"},
         {"The server rejected the message because of its content, for example an attachment "
          "type that is not allowed (such as an .exe file) or a blocked link. Remove or change "
          "that part and send the message again."}},
        {{"Inhalt der Nachricht vom Server abgelehnt"},
         {"Der Server hat die Nachricht wegen ihres Inhalts abgelehnt, zum Beispiel wegen eines "
          "nicht erlaubten Dateityps im Anhang (etwa einer .exe-Datei) oder eines gesperrten "
          "Links. Entfernen oder ändern Sie den betreffenden Teil und senden Sie die Nachricht "
          "erneut."}},
    }}},
    {"message_loop", {{
        {{"Forwarding loop detected – message not delivered"},
         {"The message was passed around in a circle between servers, usually because of a "
          "faulty forwarding rule at the recipient's end or on your side. Check your own "
          "forwarding rules; if the problem is on the recipient's side, let them know some "
          "other way."}},
        {{"Weiterleitungsschleife erkannt – Nachricht nicht zugestellt"},
         {"Die Nachricht wurde zwischen Servern im Kreis weitergeleitet, meist wegen einer "
          "fehlerhaften Weiterleitungsregel beim Empfänger oder bei Ihnen. Prüfen Sie Ihre "
          "eigenen Weiterleitungen; liegt der Fehler beim Empfänger, informieren Sie ihn auf "
          "anderem Weg."}},
    }}},
    {"transaction_rejected", {{  // 554 "not allowed"
        {{"Rejected by the server – check sender and recipients"},
         {"The server did not accept the message (“not allowed”). Often the sender address "
          "lacks permission to send, a recipient address is invalid, or the sender does not "
          "match the account you signed in with. Check the sender and the recipients, then "
          "send the message again."}},
        {{"Vom Server abgelehnt – bitte Absender und Empfänger prüfen"},
         {"Der Server hat die Nachricht nicht angenommen („nicht erlaubt“). Häufig fehlt der "
          "Absenderadresse die Berechtigung zum Senden, eine Empfängeradresse ist ungültig, "
          "oder der Absender passt nicht zu dem Konto, mit dem Sie angemeldet sind. Prüfen Sie "
          "Absender und Empfänger und senden Sie die Nachricht erneut."}},
    }}},

    // ---------------------------------------------------------------- server
    {"service_unavailable", {{  // 421
        {{"Service temporarily unavailable – try again later"},
         {"Your provider's server is not available at the moment and closed the connection, "
          "for example because of maintenance or heavy load. This is not caused by you. Try "
          "again in a few minutes."}},
        {{"Dienst vorübergehend nicht verfügbar – später erneut senden"},
         {"Der Server Ihres Anbieters ist im Moment nicht verfügbar und hat die Verbindung "
          "beendet, etwa wegen Wartungsarbeiten oder hoher Auslastung. Das liegt nicht an "
          "Ihnen. Versuchen Sie es in einigen Minuten erneut."}},
    }}},
    {"server_error", {{  // 451
        {{"Error on your provider's server – not your fault"},
         {"Your provider's server aborted the request because of an internal error. This is "
          "not your fault, and you do not need to change any settings. Send the message again "
          "later."}},
        {{"Fehler auf dem Server Ihres Anbieters – nicht Ihre Schuld"},
         {"Der Server Ihres Anbieters hat die Anfrage wegen eines internen Fehlers abgebrochen. "
          "Das ist nicht Ihre Schuld, und Sie müssen an Ihren Einstellungen nichts ändern. "
          "Senden Sie die Nachricht später erneut."}},
    }}},
    {"server_storage_full", {{  // 452
        {{"Provider's server is out of storage – try again later"},
         {"Your provider's server does not have enough free storage to accept the message right "
          "now. This is not caused by you and is usually fixed quickly. Try again later."}},
        {{"Zu wenig Speicherplatz auf dem Server Ihres Anbieters – später erneut senden"},
         {"Auf dem Server Ihres Anbieters ist gerade nicht genug Speicherplatz frei, um die "
          "Nachricht anzunehmen. Das liegt nicht an Ihnen und ist meist schnell behoben. "
          "Versuchen Sie es später erneut."}},
    }}},
    {"no_mail_service", {{  // 521, 554 at the greeting
        {{"This server does not accept mail – check account settings"},
         {"The server refused the connection: it does not accept email, or it is out of "
          "service. Check that the right outgoing server is entered in the account settings; "
          "if it is, contact your provider."}},
        {{"Dieser Server nimmt keine E-Mails an – Kontoeinstellungen prüfen"},
         {"Der Server hat die Verbindung abgelehnt: Er nimmt keine E-Mails an oder ist außer "
          "Betrieb. Prüfen Sie, ob in den Kontoeinstellungen der richtige Postausgangsserver "
          "eingetragen ist; falls ja, wenden Sie sich an Ihren Anbieter."}},
    }}},

    // ---------------------------------------------------------------- protocol
    {"syntax_error", {{  // 501
        {{"Server reported a syntax error – please report the problem"},
         {"The server could not process a command from the app because its details were not "
          "in the expected format. This is usually not caused by you. Check the addresses for "
          "unusual characters; if the error persists, please report the problem."}},
        {{"Server meldet einen Syntaxfehler – bitte Problem melden"},
         {"Der Server konnte einen Befehl der App nicht verarbeiten, weil die Angaben darin "
          "nicht im erwarteten Format waren. Das liegt in der Regel nicht an Ihnen. Prüfen Sie "
          "die Adressen auf ungewöhnliche Zeichen; tritt der Fehler weiter auf, melden Sie "
          "bitte das Problem."}},
    }}},
    {"bad_sequence", {{  // 503
        {{"Commands in the wrong order – please report the problem"},
         {"The server received commands in an order it did not expect. This is a "
          "communication error between the app and the server, not something you did. Send "
          "the message again; if the error persists, please report the problem."}},
        {{"Befehle in falscher Reihenfolge – bitte Problem melden"},
         {"Der Server hat Befehle in einer Reihenfolge erhalten, die er nicht erwartet hat. Das ist "
          "ein Fehler in der Kommunikation zwischen App und Server und liegt nicht an Ihnen. "
          "Senden Sie die Nachricht erneut; tritt der Fehler weiter auf, melden Sie bitte das Problem."}},
    }}},
    {"not_implemented", {{  // 502, 504
        {{"Server does not support a required function"},
         {"The server does not know a command or option that the app used. Check the server "
          "and port in the account settings; if they are right, please report the problem."}},
        {{"Server unterstützt eine benötigte Funktion nicht"},
         {"Der Server kennt einen Befehl oder eine Option nicht, die die App verwendet hat. "
          "Prüfen Sie Server und Port in den Kontoeinstellungen; stimmen beide, melden Sie "
          "bitte das Problem."}},
    }}},

    // ---------------------------------------------------------------- transport
    {"connection_failed", {{
        {{"Cannot connect to the server – check your connection"},
         {"The app could not connect to the outgoing server. Check your internet connection as "
          "well as the server name and port in the account settings. The message stays in the "
          "outbox."}},
        {{"Keine Verbindung zum Server – Internetverbindung prüfen"},
         {"Die App konnte keine Verbindung zum Postausgangsserver herstellen. Prüfen Sie Ihre "
          "Internetverbindung sowie Servername und Port in den Kontoeinstellungen. Die "
          "Nachricht bleibt im Postausgang."}},
    }}},
    {"server_not_found", {{  // the server's host name does not resolve
        {{"Server name not found – check the server address"},
         {"The name of the outgoing server could not be found. Usually it is mistyped in the "
          "account settings (smtp.gmial.com instead of smtp.gmail.com, say); less often the "
          "internet connection or its name service is down. The message stays in the outbox "
          "and is tried again."}},
        {{"Servername nicht gefunden – Serveradresse prüfen"},
         {"Der Name des Postausgangsservers wurde nicht gefunden. Meist ist er in den "
          "Kontoeinstellungen falsch geschrieben (etwa smtp.gmial.com statt smtp.gmail.com), "
          "seltener fehlt die Internetverbindung oder die Namensauflösung (DNS) funktioniert "
          "nicht. Die Nachricht bleibt im Postausgang, und der Versand wird erneut versucht."}},
    }}},
    {"connection_lost", {{
        {{"Connection lost while sending – try again later"},
         {"The connection to the server broke off while sending. An unstable internet "
          "connection or the server can be the cause. The message stays in the outbox; send it "
          "again once the connection is stable."}},
        {{"Verbindung beim Senden unterbrochen – später erneut senden"},
         {"Die Verbindung zum Server ist während des Sendens abgebrochen. Das kann an einer "
          "instabilen Internetverbindung oder am Server liegen. Die Nachricht bleibt im "
          "Postausgang; senden Sie sie erneut, sobald die Verbindung stabil ist."}},
    }}},
    {"delivery_uncertain", {{  // lost after the final dot (RFC 5321 §6.1): possibly delivered
        {{"Connection lost – the message may already have been sent"},
         {"The connection broke off after the message had been transferred completely, but "
          "before the server confirmed it. The message may therefore already have been "
          "delivered. If in doubt, ask a recipient before you send it again, so that it does "
          "not arrive twice."}},
        {{"Verbindung abgebrochen – Nachricht eventuell schon gesendet"},
         {"Die Verbindung ist abgebrochen, nachdem die Nachricht vollständig übertragen war, "
          "aber bevor der Server den Empfang bestätigt hat. Die Nachricht wurde daher "
          "möglicherweise schon zugestellt. Fragen Sie im Zweifel bei einem Empfänger nach, "
          "bevor Sie sie erneut senden, damit sie nicht doppelt ankommt."}},
    }}},
    {"invalid_settings", {{  // errc::invalid_option: refused before connecting
        {{"Not sent – check this account's settings"},
         {"The app did not connect to the outgoing server because a setting of this account "
          "cannot be used as it is: the server name, the user name, the password or the "
          "certificate settings. Nothing was sent. Correct the account settings, then send "
          "the message again."}},
        {{"Nicht gesendet – Kontoeinstellungen prüfen"},
         {"Die App hat keine Verbindung zum Postausgangsserver aufgebaut, weil eine "
          "Einstellung dieses Kontos so nicht verwendbar ist: der Servername, der "
          "Benutzername, das Passwort oder die Zertifikatseinstellungen. Es wurde nichts "
          "gesendet. Korrigieren Sie die Kontoeinstellungen und senden Sie die Nachricht dann "
          "erneut."}},
    }}},
    {"invalid_addresses", {{  // errc::invalid_address, errc::no_recipients
        {{"Not sent – check the sender and recipient addresses"},
         {"The app did not send the message because an address cannot be used (it contains a "
          "line break or angle brackets, or is too long) or because the message has no "
          "recipient. Nothing was sent. Correct the addresses, then send the message again."}},
        {{"Nicht gesendet – Absender und Empfänger prüfen"},
         {"Die App hat die Nachricht nicht gesendet, weil eine Adresse so nicht verwendbar ist "
          "(sie enthält einen Zeilenumbruch oder spitze Klammern oder ist zu lang) oder weil "
          "die Nachricht keinen Empfänger hat. Es wurde nichts gesendet. Korrigieren Sie die "
          "Adressen und senden Sie die Nachricht dann erneut."}},
    }}},
    {"internal_error", {{  // the other caller-input errors: the app's own mistake
        {{"Not sent – internal error in the app"},
         {"The app passed an invalid request to its sending component, for example a saved "
          "outbox that could not be read back or a message queued twice. Nothing was sent. "
          "Please report the problem to the app's developers."}},
        {{"Nicht gesendet – interner Fehler der App"},
         {"Die App hat ihrer Versandkomponente eine ungültige Anfrage übergeben, zum Beispiel "
          "einen gespeicherten Postausgang, der sich nicht wieder einlesen ließ, oder eine "
          "doppelt eingereihte Nachricht. Es wurde nichts gesendet. Bitte melden Sie das "
          "Problem den Entwicklern der App."}},
    }}},
    {"timed_out", {{
        {{"Server not responding – try again later"},
         {"The server did not respond in time. Usually the internet connection is slow or the "
          "server is overloaded. The message stays in the outbox and can be sent again later."}},
        {{"Server antwortet nicht – später erneut senden"},
         {"Der Server hat nicht rechtzeitig geantwortet. Meist ist die Internetverbindung "
          "langsam oder der Server überlastet. Die Nachricht bleibt im Postausgang und kann "
          "später erneut gesendet werden."}},
    }}},
    {"tls_failed", {{
        {{"Secure connection failed – check account settings"},
         {"The encrypted connection to the server could not be set up. Often the port and the "
          "type of encryption do not match, for example SSL/TLS on port 587, which expects "
          "STARTTLS. Compare the settings with your provider's instructions."}},
        {{"Sichere Verbindung fehlgeschlagen – Kontoeinstellungen prüfen"},
         {"Die verschlüsselte Verbindung zum Server konnte nicht aufgebaut werden. Häufig "
          "passen Port und Verschlüsselungsart nicht zusammen, zum Beispiel SSL/TLS auf Port "
          "587, der STARTTLS erwartet. Vergleichen Sie die Einstellungen mit den Angaben Ihres "
          "Anbieters."}},
    }}},
    {"certificate_untrusted", {{
        {{"Server certificate not trusted – message not sent"},
         {"The server's security certificate is invalid, has expired or belongs to a different "
          "server name. To protect you, the app did not send any data. Check the server name "
          "in the account settings; on public Wi-Fi, the network's sign-in page can also be "
          "the cause."}},
        {{"Zertifikat des Servers nicht vertrauenswürdig – nicht gesendet"},
         {"Das Sicherheitszertifikat des Servers ist ungültig, abgelaufen oder gehört zu einem "
          "anderen Servernamen. Zu Ihrem Schutz hat die App keine Daten gesendet. Prüfen Sie "
          "den Servernamen in den Kontoeinstellungen; in öffentlichen WLANs kann auch die "
          "Anmeldeseite des Netzwerks die Ursache sein."}},
    }}},
    {"starttls_unavailable", {{
        {{"Server offers no encryption – message not sent"},
         {"The server did not offer an encrypted connection (STARTTLS). So that your password "
          "and message are not sent unprotected, the app stopped sending. Check the server and "
          "port in the account settings, or try again on a different network."}},
        {{"Server bietet keine Verschlüsselung an – nicht gesendet"},
         {"Der Server hat keine verschlüsselte Verbindung (STARTTLS) angeboten. Damit Passwort "
          "und Nachricht nicht ungeschützt übertragen werden, hat die App den Versand "
          "abgebrochen. Prüfen Sie Server und Port in den Kontoeinstellungen oder versuchen Sie "
          "es in einem anderen Netzwerk."}},
    }}},
    {"protocol_violation", {{
        {{"Unexpected response from the server – please report the problem"},
         {"The server sent a response that does not follow the SMTP protocol. Perhaps a wrong "
          "server or port is entered in the account settings. If the error persists, please "
          "report the problem."}},
        {{"Unerwartete Antwort vom Server – bitte Problem melden"},
         {"Der Server hat eine Antwort geschickt, die nicht dem SMTP-Protokoll entspricht. "
          "Möglicherweise ist in den Kontoeinstellungen ein falscher Server oder Port "
          "eingetragen. Tritt der Fehler weiter auf, melden Sie bitte das Problem."}},
    }}},

    // ---------------------------------------------------------------- fallbacks
    {"transient_failure", {{
        {{"Temporary error – try again later"},
         {"The server did not accept the message for the time being. Such errors usually clear "
          "up by themselves. Send the message again later; the server's reply may give more "
          "details."}},
        {{"Vorübergehender Fehler – später erneut senden"},
         {"Der Server hat die Nachricht vorerst nicht angenommen. Solche Fehler beheben sich "
          "meist von selbst. Senden Sie die Nachricht später erneut; die Antwort des Servers "
          "enthält möglicherweise weitere Hinweise."}},
    }}},
    {"permanent_failure", {{
        {{"Message rejected by the server"},
         {"The server rejected the message, and sending it again unchanged will most likely "
          "fail as well. The server's reply usually states the reason. Check the recipients "
          "and the content, or contact your provider."}},
        {{"Nachricht vom Server abgelehnt"},
         {"Der Server hat die Nachricht abgelehnt, und ein erneuter Versuch ohne Änderungen "
          "wird voraussichtlich wieder scheitern. Die Antwort des Servers nennt meist den "
          "Grund. Prüfen Sie Empfänger und Inhalt oder wenden Sie sich an Ihren Anbieter."}},
    }}},
};

// Button labels, indexed by action value: {en, de}.
constexpr std::array<std::string_view, language_count> action_labels[] = {
    {"", ""},                                                   // none
    {"Retry later", "Später erneut senden"},                    // retry_later
    {"Update password", "Passwort aktualisieren"},              // reauthenticate
    {"Sign in again", "Erneut anmelden"},                       // refresh_token
    {"Create app password", "App-Passwort erstellen"},          // create_app_password
    {"Sign in on the web", "Im Browser anmelden"},              // sign_in_via_web
    {"Check account settings", "Kontoeinstellungen prüfen"},    // check_account_settings
    {"Check sender address", "Absenderadresse prüfen"},         // check_sender_address
    {"Check recipients", "Empfänger prüfen"},                   // check_recipients
    {"Split recipients", "Empfänger aufteilen"},                // split_recipients
    {"Reduce message size", "Nachricht verkleinern"},           // reduce_message_size
    {"Edit message", "Nachricht bearbeiten"},                   // edit_message
    {"Contact recipient", "Empfänger kontaktieren"},            // contact_recipient
    {"Contact provider", "Anbieter kontaktieren"},              // contact_provider
    {"View certificate", "Zertifikat anzeigen"},                // review_certificate
    {"Report problem", "Problem melden"},                       // report_problem
};
// clang-format on
static_assert(std::size(action_labels) == static_cast<std::size_t>(action_count));

}  // namespace

const catalog_entry* find_catalog_entry(std::string_view id) noexcept {
    if (id.empty()) {
        return nullptr;
    }
    for (const auto& e : catalog) {
        if (e.id == id) {
            return &e;
        }
    }
    return nullptr;
}

std::string_view action_text(action a, language lang) noexcept {
    const auto i = static_cast<std::size_t>(a);
    const auto l = static_cast<std::size_t>(lang);
    if (i >= std::size(action_labels) || l >= language_count) {
        return {};
    }
    return action_labels[i][l];
}

}  // namespace smtperr::detail
