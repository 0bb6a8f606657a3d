// Every submission-relevant row of providers.tsv as a realistic reply, classified with the
// provider's submission host and without a host (where the reply carries a signature the
// provider is still recognized; where it does not, the generic rules decide).
#include <smtperr/classify/classify.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <string_view>

#include "unit/classify/classify_util.hpp"

namespace {

using namespace classify_test;
using a = smtperr::action;
using c = smtperr::condition;
using s = smtperr::scope;
using p = smtperr::phase;

constexpr std::string_view ms = " [XX0P123MB4567.eurprd01.prod.outlook.com]";

struct provider_case {
    std::string_view provider;  ///< Expected provider id with the host.
    std::string_view host;      ///< The provider's submission host.
    std::string reply;          ///< Lines separated by '\n'.
    p ph;
    c cond;  ///< With the host.
    a act;
    s sc;
    /// The help link with the host ("" for none): the first link in the text to one of the
    /// provider's help pages, else the deciding rule's own link (docs/classification.md).
    std::string_view help_url;
    /// Without a host: the provider is recognized by signature (same answer, same link), or
    /// the generic rules give `generic` and no link (an unknown server's link is never shown).
    bool signature = true;
    std::optional<c> generic = std::nullopt;
};

std::string m(std::string_view text) {
    return std::string(text) + std::string(ms);
}

// clang-format off
const provider_case cases[] = {
    // ---- Google (Gmail / Workspace): smtp.gmail.com; replies end in "- gsmtp" ------------
    {"gmail", "smtp.gmail.com", "535-5.7.8 Username and Password not accepted. For more information, go to\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1-20020a05600c0001sm1234567wmq.0 - gsmtp", p::auth, c::authentication_failed, a::reauthenticate, s::account, "https://support.google.com/mail/?p=BadCredentials"},
    {"gmail", "smtp.gmail.com", "534-5.7.9 Application-specific password required. For more information, go to\n534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor a1sm1234567wmq.0 - gsmtp", p::auth, c::app_password_required, a::create_app_password, s::account, "https://support.google.com/mail/?p=InvalidSecondFactor"},
    {"gmail", "smtp.gmail.com", "534-5.7.14 Please log in via your web browser and\n534-5.7.14 then try again.\n534-5.7.14  Learn more at\n534 5.7.14  https://support.google.com/mail/answer/78754 a1sm1234567wmq.0 - gsmtp", p::auth, c::web_login_required, a::sign_in_via_web, s::account, "https://support.google.com/mail/answer/78754"},
    {"gmail", "smtp.gmail.com", "454 4.7.0 Too many login attempts, please try again later. a1sm1234567wmq.0 - gsmtp", p::auth, c::rate_limited, a::retry_later, s::account, "https://support.google.com/mail/answer/7126229"},
    {"gmail", "smtp.gmail.com", "454-4.7.0 Cannot authenticate due to a temporary system problem. Try again\n454 4.7.0 later. a1sm1234567wmq.0 - gsmtp", p::auth, c::authentication_temporary_failure, a::retry_later, s::account, ""},
    {"gmail", "smtp.gmail.com", "530 5.7.0 Must issue a STARTTLS command first. a1sm1234567wmq.0 - gsmtp", p::mail, c::encryption_required, a::check_account_settings, s::connection, ""},
    {"gmail", "smtp.gmail.com", "530-5.5.1 Authentication Required. Learn more at\n530 5.5.1  https://support.google.com/mail/?p=WantAuthError a1sm1234567wmq.0 - gsmtp", p::mail, c::authentication_required, a::reauthenticate, s::account, "https://support.google.com/mail/?p=WantAuthError"},
    {"gmail", "smtp.gmail.com", "504 5.7.4 Unrecognized authentication type. a1sm1234567wmq.0 - gsmtp", p::auth, c::auth_mechanism_rejected, a::check_account_settings, s::account, ""},
    {"gmail", "smtp.gmail.com", "503 5.7.0 No identity changes permitted. a1sm1234567wmq.0 - gsmtp", p::auth, c::bad_sequence, a::report_problem, s::connection, ""},
    {"gmail", "smtp.gmail.com", "550-5.4.5 Daily user sending limit exceeded. For more information on Gmail\n550-5.4.5 sending limits go to\n550 5.4.5  https://support.google.com/a/answer/166852 a1sm1234567wmq.0 - gsmtp", p::mail, c::sending_quota_exceeded, a::retry_later, s::account, "https://support.google.com/a/answer/166852"},
    {"gmail", "smtp-relay.gmail.com", "550 5.4.5 Daily SMTP relay limit exceeded for user. a1sm1234567wmq.0 - gsmtp", p::mail, c::sending_quota_exceeded, a::retry_later, s::account, "https://support.google.com/a/answer/166852"},
    {"gmail", "smtp-relay.gmail.com", "550 5.7.1 Daily SMTP relay limit exceeded for customer. a1sm1234567wmq.0 - gsmtp", p::mail, c::sending_quota_exceeded, a::retry_later, s::account, "https://support.google.com/a/answer/166852"},
    {"gmail", "smtp-relay.gmail.com", "450 4.2.1 Peak SMTP relay limit exceeded for customer. a1sm1234567wmq.0 - gsmtp", p::rcpt, c::rate_limited, a::retry_later, s::account, ""},
    {"gmail", "smtp.gmail.com", "452-4.5.3 Your message has too many recipients. For more information regarding\n452-4.5.3 Google's sending limits, visit\n452 4.5.3  https://support.google.com/mail/?p=TooManyRecipientsError a1sm1234567wmq.0 - gsmtp", p::rcpt, c::too_many_recipients, a::split_recipients, s::message, "https://support.google.com/mail/?p=TooManyRecipientsError"},
    {"gmail", "smtp.gmail.com", "552-5.3.4 Your message exceeded Google's message size limits. For more\n552-5.3.4 information, visit\n552 5.3.4  https://support.google.com/mail/?p=MaxSizeError a1sm1234567wmq.0 - gsmtp", p::data_end, c::message_too_large, a::reduce_message_size, s::message, "https://support.google.com/mail/?p=MaxSizeError"},
    {"gmail", "smtp.gmail.com", "552-5.7.0 This message was blocked because its content presents a potential\n552-5.7.0 security issue. To review our message content and attachment content\n552 5.7.0 guidelines, go to https://support.google.com/mail/?p=BlockedMessage a1sm1234567wmq.0 - gsmtp", p::data_end, c::message_content_rejected, a::edit_message, s::message, "https://support.google.com/mail/?p=BlockedMessage"},
    {"gmail", "smtp.gmail.com", "550-5.7.1 [203.0.113.5] Our system has detected that this message is\n550-5.7.1 likely unsolicited mail. To reduce the amount of spam sent to Gmail,\n550 5.7.1 this message has been blocked. https://support.google.com/mail/?p=UnsolicitedMessageError a1sm1234567wmq.0 - gsmtp", p::data_end, c::spam_rejected, a::edit_message, s::message, "https://support.google.com/mail/?p=UnsolicitedMessageError"},
    {"gmail", "smtp.gmail.com", "550 5.7.1 The user or domain that you are sending to (or from) has a policy that prohibited the mail that you sent. a1sm1234567wmq.0 - gsmtp", p::data_end, c::transaction_rejected, a::contact_provider, s::message, ""},
    {"gmail", "smtp-relay.gmail.com", "550 5.7.0 Mail relay denied [203.0.113.5]. a1sm1234567wmq.0 - gsmtp", p::mail, c::relay_denied, a::check_account_settings, s::account, ""},
    {"gmail", "smtp-relay.gmail.com", "550 5.7.1 Invalid credentials for relay [203.0.113.5]. a1sm1234567wmq.0 - gsmtp", p::mail, c::relay_denied, a::check_account_settings, s::account, ""},
    {"gmail", "smtp-relay.gmail.com", "550 5.7.0 Mail Sending denied. This error occurs if the sender account is disabled or not registered within your Google Workspace domain. a1sm1234567wmq.0 - gsmtp", p::mail, c::account_restricted, a::contact_provider, s::account, ""},
    {"gmail", "smtp.gmail.com", "550-5.7.26 Unauthenticated email from example.org is not accepted due to domain's\n550-5.7.26 DMARC policy. Please contact the administrator of example.org domain.\n550 5.7.26  https://support.google.com/mail/?p=DmarcRejection a1sm1234567wmq.0 - gsmtp", p::data_end, c::domain_policy_rejected, a::check_sender_address, s::message, "https://support.google.com/mail/?p=DmarcRejection"},
    {"gmail", "smtp.gmail.com", "421-4.7.0 Try again later, closing connection. (EHLO)\n421-4.7.0 For more information, go to\n421 4.7.0  https://support.google.com/a/answer/3221692 a1sm1234567wmq.0 - gsmtp", p::ehlo, c::rate_limited, a::retry_later, s::connection, "https://support.google.com/a/answer/3221692"},
    {"gmail", "smtp-relay.gmail.com", "451 4.3.0 Multiple destination domains per transaction is unsupported. Please try again. a1sm1234567wmq.0 - gsmtp", p::rcpt, c::transaction_rejected, a::split_recipients, s::message, ""},
    {"gmail", "smtp.gmail.com", "550-5.1.1 The email account that you tried to reach does not exist. Please try\n550-5.1.1 double-checking the recipient's email address for typos or\n550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser a1sm1234567wmq.0 - gsmtp", p::rcpt, c::recipient_unknown, a::check_recipients, s::recipient, "https://support.google.com/mail/?p=NoSuchUser"},
    {"gmail", "smtp.gmail.com", "553-5.1.2 We weren't able to find the recipient domain. Please check for any\n553 5.1.2 spelling errors. https://support.google.com/mail/?p=BadRcptDomain a1sm1234567wmq.0 - gsmtp", p::rcpt, c::recipient_domain_invalid, a::check_recipients, s::recipient, "https://support.google.com/mail/?p=BadRcptDomain"},
    {"gmail", "smtp.gmail.com", "550-5.2.1 The email account that you tried to reach is disabled. Learn more at\n550 5.2.1  https://support.google.com/mail/?p=DisabledUser a1sm1234567wmq.0 - gsmtp", p::rcpt, c::recipient_mailbox_unavailable, a::contact_recipient, s::recipient, "https://support.google.com/mail/?p=DisabledUser"},
    {"gmail", "smtp.gmail.com", "452-4.2.2 The recipient's inbox is out of storage space. Please direct the\n452 4.2.2 recipient to https://support.google.com/mail/?p=OverQuotaTemp a1sm1234567wmq.0 - gsmtp", p::rcpt, c::recipient_mailbox_full, a::retry_later, s::recipient, "https://support.google.com/mail/?p=OverQuotaTemp"},
    {"gmail", "smtp.gmail.com", "552-5.2.2 The recipient's inbox is out of storage space and inactive. Please direct\n552 5.2.2 the recipient to https://support.google.com/mail/?p=OverQuotaPerm a1sm1234567wmq.0 - gsmtp", p::rcpt, c::recipient_mailbox_full, a::contact_recipient, s::recipient, "https://support.google.com/mail/?p=OverQuotaPerm"},
    {"gmail", "smtp.gmail.com", "450-4.2.1 The user you are trying to contact is receiving mail too quickly. Please\n450 4.2.1 resend your message at a later time. a1sm1234567wmq.0 - gsmtp", p::rcpt, c::rate_limited, a::retry_later, s::recipient, ""},

    // ---- Microsoft 365 / Exchange Online: smtp.office365.com -------------------------------
    {"microsoft", "smtp.office365.com", m("530 5.7.57 Client not authenticated to send mail."), p::mail, c::authentication_required, a::reauthenticate, s::account, ""},
    {"microsoft", "smtp.office365.com", m("535 5.7.3 Authentication unsuccessful"), p::auth, c::authentication_failed, a::reauthenticate, s::account, ""},
    {"microsoft", "smtp.office365.com", m("535 5.7.139 Authentication unsuccessful, the user credentials were incorrect."), p::auth, c::authentication_failed, a::reauthenticate, s::account, ""},
    {"microsoft", "smtp.office365.com", m("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information."), p::auth, c::authentication_unavailable, a::contact_provider, s::account, "https://aka.ms/smtp_auth_disabled"},
    {"microsoft", "smtp.office365.com", m("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information."), p::auth, c::authentication_unavailable, a::contact_provider, s::account, "https://aka.ms/smtp_auth_disabled"},
    {"microsoft", "smtp.office365.com", m("535 5.7.139 Authentication unsuccessful, basic authentication is disabled."), p::auth, c::basic_auth_disabled, a::sign_in_via_web, s::account, ""},
    {"microsoft", "smtp.office365.com", m("535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator."), p::auth, c::basic_auth_disabled, a::contact_provider, s::account, ""},
    {"microsoft", "smtp.office365.com", m("535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator."), p::auth, c::account_restricted, a::contact_provider, s::account, ""},
    {"microsoft", "smtp.office365.com", m("535 5.7.139 Authentication unsuccessful, the federated STS service was unreachable."), p::auth, c::authentication_unavailable, a::contact_provider, s::account, ""},
    {"microsoft", "smtp.office365.com", m("550 5.7.30 Basic authentication is not supported for Client Submission."), p::mail, c::basic_auth_disabled, a::sign_in_via_web, s::account, ""},
    {"microsoft", "smtp.office365.com", m("421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2. Visit https://aka.ms/smtp_auth_tls."), p::ehlo, c::tls_failed, a::check_account_settings, s::connection, "https://aka.ms/smtp_auth_tls"},
    {"microsoft", "smtp.office365.com", m("550 5.7.60 SMTP; Client does not have permissions to send as this sender"), p::data_end, c::sender_rejected, a::check_sender_address, s::message, ""},
    {"microsoft", "smtp.office365.com", m("554 5.2.252 SendAsDenied; alice@contoso.com not allowed to send as bob@contoso.com; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message Cannot submit message."), p::data_end, c::sender_rejected, a::check_sender_address, s::message, ""},
    {"microsoft", "smtp.office365.com", m("550 5.2.251 Sender throttled due to continuous mailbox full errors"), p::mail, c::rate_limited, a::retry_later, s::account, ""},
    {"microsoft", "smtp.office365.com", m("550 5.2.252 Sender throttled due to continuous send as denied errors"), p::mail, c::rate_limited, a::retry_later, s::account, ""},
    {"microsoft", "smtp.office365.com", m("550 5.2.253 Sender throttled due to continuous invalid license errors"), p::mail, c::rate_limited, a::retry_later, s::account, ""},
    {"microsoft", "smtp.office365.com", m("550 5.2.254 Sender throttled due to continuous too many recipients errors"), p::mail, c::rate_limited, a::retry_later, s::account, ""},
    {"microsoft", "smtp.office365.com", m("550 5.2.255 Sender throttled due to continuous invalid recipients errors"), p::mail, c::rate_limited, a::retry_later, s::account, ""},
    {"microsoft", "smtp.office365.com", m("550 5.1.8 Access denied, bad outbound sender."), p::mail, c::account_restricted, a::contact_provider, s::account, ""},
    {"microsoft", "smtp.office365.com", m("554 5.2.2 mailbox full; STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception with message Cannot submit message."), p::data_end, c::sending_quota_exceeded, a::retry_later, s::account, ""},
    {"microsoft", "smtp.office365.com", m("550 5.2.2 The sender's submission quota was exceeded."), p::data_end, c::sending_quota_exceeded, a::retry_later, s::account, ""},
    {"microsoft", "smtp.office365.com", m("550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients."), p::rcpt, c::sending_quota_exceeded, a::retry_later, s::account, ""},
    {"microsoft", "smtp.office365.com", m("432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded"), p::data_end, c::rate_limited, a::retry_later, s::account, ""},
    {"microsoft", "smtp.office365.com", m("421 4.4.2 Message submission rate for this client has exceeded the configured limit"), p::data_end, c::rate_limited, a::retry_later, s::account, ""},
    {"microsoft", "smtp-mail.outlook.com", "554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; WASCL UserAction verdict is not None. Actual verdict is RefuseQuota, ShowTierUpgrade. OutboundSpamException: WASCL UserAction verdict is not None. Actual verdict is RefuseQuota, ShowTierUpgrade.[Hostname=AM0PR01MB1234.eurprd01.prod.exchangelabs.com]", p::data_end, c::sending_quota_exceeded, a::retry_later, s::account, ""},
    {"microsoft", "smtp-mail.outlook.com", "554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; WASCL UserAction verdict is not None. Actual verdict is HipSend, ShowTierUpgrade.[Hostname=AM0PR01MB1234.eurprd01.prod.exchangelabs.com]", p::data_end, c::web_login_required, a::sign_in_via_web, s::account, ""},
    {"microsoft", "smtp-mail.outlook.com", "554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; WASCL UserAction verdict is not None. Actual verdict is Suspend, ShowTierUpgrade.[Hostname=AM0PR01MB1234.eurprd01.prod.exchangelabs.com]", p::data_end, c::account_restricted, a::contact_provider, s::account, ""},
    {"microsoft", "smtp.office365.com", m("550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653 AS(7230)"), p::mail, c::account_restricted, a::contact_provider, s::account, "http://go.microsoft.com/fwlink/?LinkId=526653"},
    {"microsoft", "smtp.office365.com", m("550 5.7.705 Service unavailable, access denied, tenant has exceeded threshold."), p::mail, c::account_restricted, a::contact_provider, s::account, ""},
    {"microsoft", "smtp.office365.com", m("550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains."), p::mail, c::account_restricted, a::contact_provider, s::account, ""},
    {"microsoft", "smtp.office365.com", m("550 5.7.703 Your message can't be delivered because messages to bob@example.org are blocked by your organization using Tenant Allow Block List."), p::rcpt, c::domain_policy_rejected, a::contact_provider, s::message, ""},
    {"microsoft", "smtp.office365.com", m("451 4.7.500 Server busy. Please try again later from [203.0.113.5]. (AS843)"), p::rcpt, c::rate_limited, a::retry_later, s::connection, ""},
    {"microsoft", "smtp.office365.com", m("451 4.7.550 Access denied, please try again later. (AS843)"), p::rcpt, c::rate_limited, a::retry_later, s::connection, ""},
    {"microsoft", "smtp.office365.com", m("550 5.7.501 Service unavailable. Spam abuse detected from IP range."), p::mail, c::account_restricted, a::contact_provider, s::account, ""},
    {"microsoft", "smtp.office365.com", m("550 5.7.503 Access denied, banned sender."), p::mail, c::account_restricted, a::contact_provider, s::account, ""},
    {"microsoft", "smtp.office365.com", m("550 5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant and include a valid From address."), p::data_end, c::message_content_rejected, a::edit_message, s::message, ""},
    {"microsoft", "smtp.office365.com", m("550 5.4.1 Recipient address rejected: Access denied. AS(201806281)"), p::rcpt, c::recipient_unknown, a::check_recipients, s::recipient, ""},
    {"microsoft", "smtp.office365.com", m("550 5.4.1 Relay Access Denied"), p::rcpt, c::relay_denied, a::check_account_settings, s::recipient, ""},
    {"microsoft", "smtp.office365.com", m("550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient bob@contoso.com not found by SMTP address lookup"), p::rcpt, c::recipient_unknown, a::check_recipients, s::recipient, ""},
    {"microsoft", "smtp.office365.com", m("550 5.7.124 RESOLVER.RST.SenderNotInAllowedSendersList; Sender not in allowed-senders list"), p::data_end, c::recipient_mailbox_unavailable, a::contact_recipient, s::recipient, ""},
    {"microsoft", "smtp.office365.com", m("550 5.7.133 RESOLVER.RST.SenderNotAuthenticatedForGroup; Sender not authenticated for group"), p::data_end, c::recipient_mailbox_unavailable, a::contact_recipient, s::recipient, ""},

    // ---- Yahoo / AOL: smtp.mail.yahoo.com ---------------------------------------------------
    {"yahoo", "smtp.mail.yahoo.com", "535 5.7.0 (#AUTH005) Too many bad auth attempts.", p::auth, c::app_password_required, a::create_app_password, s::account, ""},
    {"yahoo", "smtp.aol.com", "535 5.7.0 (#AUTH005) Bad credentials", p::auth, c::app_password_required, a::create_app_password, s::account, ""},
    {"yahoo", "smtp.mail.yahoo.com", "554 5.7.9 Message not accepted for policy reasons.  See https://senders.yahooinc.com/error-codes", p::data_end, c::message_content_rejected, a::edit_message, s::message, "https://senders.yahooinc.com/error-codes"},
    {"yahoo", "smtp.mail.yahoo.com", "550 5.7.9 This mail has been blocked because the sender is unauthenticated. Yahoo requires all senders to authenticate with either SPF or DKIM.", p::data_end, c::domain_policy_rejected, a::check_sender_address, s::message, "", false, c::domain_policy_rejected},
    {"yahoo", "smtp.mail.yahoo.com", "421 4.7.0 [TSS04] Messages from 203.0.113.5 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://senders.yahooinc.com/error-codes", p::mail, c::rate_limited, a::retry_later, s::connection, "https://senders.yahooinc.com/error-codes"},
    {"yahoo", "smtp.mail.yahoo.com", "553 5.7.2 [TSS09] All messages from 203.0.113.5 will be permanently deferred; Retrying will NOT succeed. See https://senders.yahooinc.com/error-codes", p::mail, c::client_blocked, a::contact_provider, s::connection, "https://senders.yahooinc.com/error-codes"},
    {"yahoo", "smtp.mail.yahoo.com", "554 delivery error: dd This user doesn't have a yahoo.com account (bob@yahoo.com) [0] - mta1234.mail.bf1.yahoo.com", p::rcpt, c::recipient_unknown, a::check_recipients, s::recipient, "", false, c::recipient_unknown},
    {"yahoo", "smtp.mail.yahoo.com", "554 30 Sorry, your message to bob@yahoo.com cannot be delivered. This mailbox is disabled (554.30).", p::rcpt, c::recipient_mailbox_unavailable, a::contact_recipient, s::recipient, "", false, c::recipient_mailbox_unavailable},
    {"yahoo", "smtp.mail.yahoo.com", "421 Max message per connection reached, closing transmission channel", p::data_end, c::service_unavailable, a::retry_later, s::connection, "", false, c::service_unavailable},

    // ---- Apple iCloud: smtp.mail.me.com -----------------------------------------------------
    {"icloud", "smtp.mail.me.com", "535 5.7.8 Error: authentication failed", p::auth, c::app_password_required, a::create_app_password, s::account, "https://support.apple.com/en-us/102654", false, c::authentication_failed},
    {"icloud", "smtp.mail.me.com", "550 5.7.0 From address is not one of your addresses", p::mail, c::sender_rejected, a::check_sender_address, s::message, "", false, c::sender_rejected},
    {"icloud", "smtp.mail.me.com", "554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137", p::data_end, c::message_content_rejected, a::edit_message, s::message, "https://support.apple.com/en-us/HT204137"},
    {"icloud", "smtp.mail.me.com", "554 5.7.1 Your message was rejected due to example.org's DMARC policy. See https://support.apple.com/en-us/HT204137 for info", p::data_end, c::domain_policy_rejected, a::check_sender_address, s::message, "https://support.apple.com/en-us/HT204137", false, c::domain_policy_rejected},
    {"icloud", "smtp.mail.me.com", "552 5.2.2 <bob@icloud.com>: user is over quota", p::rcpt, c::recipient_mailbox_full, a::contact_recipient, s::recipient, ""},
    {"icloud", "smtp.mail.me.com", "550 5.1.1 <bob@icloud.com>: inactive email address", p::rcpt, c::recipient_unknown, a::check_recipients, s::recipient, ""},
    {"icloud", "smtp.mail.me.com", "550 5.1.1 unknown or illegal alias: bob@icloud.com", p::rcpt, c::recipient_unknown, a::check_recipients, s::recipient, ""},
    {"icloud", "smtp.mail.me.com", "421 4.7.1 <bob@icloud.com>: deferred due to excessive volume", p::rcpt, c::rate_limited, a::retry_later, s::recipient, ""},

    // ---- GMX / WEB.DE / IONOS: mail.gmx.net (no enhanced codes) ------------------------------
    {"gmx", "mail.gmx.net", "535 Authentication credentials invalid", p::auth, c::authentication_failed, a::reauthenticate, s::account, "", false, c::authentication_failed},
    {"gmx", "smtp.web.de", "550 Sender address is not allowed.", p::mail, c::sender_rejected, a::check_sender_address, s::message, "", false, c::sender_rejected},
    {"gmx", "mail.gmx.net", "554-Transaction failed\n554-Reject due to policy restrictions.\n554 For explanation visit https://web.de/email/senderguidelines?ip=203.0.113.5&c=hi", p::data_end, c::spam_rejected, a::edit_message, s::message, "https://web.de/email/senderguidelines?ip=203.0.113.5&c=hi"},
    {"gmx", "mail.gmx.net", "554-gmx.net (mxgmx017) Nemesis ESMTP Service not available\n554-No SMTP service\n554-IP address is block listed.\n554 For explanation visit https://postmaster.gmx.com/en/error-messages?ip=203.0.113.5&c=bl", p::greeting, c::client_blocked, a::contact_provider, s::connection, "https://postmaster.gmx.com/en/error-messages?ip=203.0.113.5&c=bl"},

    // ---- T-Online: securesmtp.t-online.de ----------------------------------------------------
    {"t-online", "securesmtp.t-online.de", "535 5.7.8 authentication failed", p::auth, c::app_password_required, a::create_app_password, s::account, "", false, c::authentication_failed},
    {"t-online", "securesmtp.t-online.de", "554 IP=203.0.113.5 - None/bad reputation. Please contact the sender's provider. (NOWL)", p::greeting, c::client_blocked, a::contact_provider, s::connection, ""},

    // ---- Zoho: smtp.zoho.com -------------------------------------------------------------------
    {"zoho", "smtp.zoho.com", "535 Authentication Failed", p::auth, c::authentication_failed, a::reauthenticate, s::account, "", false, c::authentication_failed},
    {"zoho", "smtp.zoho.com", "553 Relaying disallowed as alice@example.org", p::mail, c::sender_rejected, a::check_sender_address, s::message, "", false, c::sender_rejected},
    {"zoho", "smtp.zoho.com", "553 Sender is not allowed to relay emails", p::mail, c::sender_rejected, a::check_sender_address, s::message, "", false, c::sender_rejected},
    {"zoho", "smtp.zoho.com", "550 5.4.6 Unusual sending activity detected. Please try after sometime.", p::mail, c::account_restricted, a::contact_provider, s::account, "https://mail.zoho.com/UnblockMe", false, c::account_restricted},
    {"zoho", "smtp.zoho.com", "554 5.1.8 Email Outgoing Blocked.", p::mail, c::account_restricted, a::contact_provider, s::account, "", false, c::account_restricted},
    {"zoho", "smtp.zoho.com", "530 Must issue a STARTTLS command first.", p::mail, c::encryption_required, a::check_account_settings, s::connection, "", false, c::encryption_required},
    {"zoho", "smtp.zoho.com", "552 5.7.1 Email rejected. Virus (Eicar-Test-Signature) detected by Zoho Mail", p::data_end, c::message_content_rejected, a::edit_message, s::message, ""},

    // ---- Yandex: smtp.yandex.ru -----------------------------------------------------------------
    {"yandex", "smtp.yandex.ru", "535 5.7.8 Error: authentication failed: This user does not have access rights to this service", p::auth, c::app_password_required, a::create_app_password, s::account, ""},
    {"yandex", "smtp.yandex.ru", "535 5.7.8 Error: authentication failed: Invalid user or password!", p::auth, c::authentication_failed, a::reauthenticate, s::account, "", false, c::authentication_failed},
    {"yandex", "smtp.yandex.ru", "553 5.7.1 Sender address rejected: not owned by auth user.", p::mail, c::sender_rejected, a::check_sender_address, s::message, "", false, c::sender_rejected},
    {"yandex", "smtp.yandex.ru", "554 5.7.1 Message rejected under suspicion of SPAM; https://ya.cc/1IrBc 1700000000-AbCdEfGh", p::data_end, c::spam_rejected, a::edit_message, s::message, "", false, c::spam_rejected},
    {"yandex", "smtp.yandex.ru", "503 5.5.4 Error: send AUTH command first.", p::mail, c::authentication_required, a::reauthenticate, s::account, "", false, c::authentication_required},
    {"yandex", "smtp.yandex.ru", "421 4.7.0 Error: too many connections from 203.0.113.5", p::greeting, c::rate_limited, a::retry_later, s::account, "", false, c::rate_limited},

    // ---- Mail.ru: smtp.mail.ru --------------------------------------------------------------------
    {"mailru", "smtp.mail.ru", "535 5.7.0 NEOBHODIM parol prilozheniya. Podrobnee tut https://help.mail.ru/mail/security/protection/external / Application password is REQUIRED. More info: https://help.mail.ru/mail/security/protection/external", p::auth, c::app_password_required, a::create_app_password, s::account, "https://help.mail.ru/mail/security/protection/external"},
    {"mailru", "smtp.mail.ru", "550 not local sender over smtp", p::mail, c::sender_rejected, a::check_sender_address, s::message, "", false, c::sender_rejected},
    {"mailru", "smtp.mail.ru", "503 Administrative prohibition -- authorization required", p::mail, c::authentication_required, a::reauthenticate, s::account, "", false, c::authentication_required},

    // ---- QQ Mail: smtp.qq.com ------------------------------------------------------------------------
    {"qq", "smtp.qq.com", "535 Login Fail. Please enter your authorization code to login. More information in https://service.mail.qq.com/detail/0/53", p::auth, c::app_password_required, a::create_app_password, s::account, "https://service.mail.qq.com/detail/0/53"},
    {"qq", "smtp.qq.com", "454 Authentication failed, please open smtp flag first!", p::auth, c::authentication_unavailable, a::check_account_settings, s::account, ""},
    {"qq", "smtp.qq.com", "501 mail from address must be same as authorization user", p::mail, c::sender_rejected, a::check_sender_address, s::message, "", false, c::sender_rejected},
    {"qq", "smtp.qq.com", "550 Mail content denied. https://service.mail.qq.com/detail/122/72", p::data_end, c::spam_rejected, a::edit_message, s::message, "https://service.mail.qq.com/detail/122/72"},
    {"qq", "smtp.qq.com", "550 Ip frequency limited. https://service.mail.qq.com/detail/122/170", p::mail, c::rate_limited, a::retry_later, s::account, "https://service.mail.qq.com/detail/122/170"},
    {"qq", "smtp.qq.com", "550 Mailbox not found. https://service.mail.qq.com/detail/122/169", p::rcpt, c::recipient_unknown, a::check_recipients, s::recipient, "https://service.mail.qq.com/detail/122/169"},
    {"qq", "smtp.qq.com", "550 The mailbox is a deactivated mailbox", p::rcpt, c::recipient_mailbox_unavailable, a::contact_recipient, s::recipient, "", false, c::recipient_mailbox_unavailable},

    // ---- NetEase 163 / 126: smtp.163.com ---------------------------------------------------------------
    {"netease", "smtp.163.com", "550 User has no permission", p::mail, c::app_password_required, a::create_app_password, s::account, "", false, c::sender_rejected},
    {"netease", "smtp.163.com", "535 Error: authentication failed", p::auth, c::authentication_failed, a::reauthenticate, s::account, "", false, c::authentication_failed},
    {"netease", "smtp.163.com", "553 Mail from must equal authorized user", p::mail, c::sender_rejected, a::check_sender_address, s::message, "", false, c::sender_rejected},
    {"netease", "smtp.163.com", "554 DT:SPM 163 smtp7,C8CowAD-1234 1700000000, please see http://mail.163.com/help/help_spam_16.htm?ip=203.0.113.5", p::data_end, c::spam_rejected, a::edit_message, s::message, "http://mail.163.com/help/help_spam_16.htm?ip=203.0.113.5"},
    {"netease", "smtp.163.com", "554 DT:SUM envelope sender is not matched with the From header", p::data_end, c::sender_rejected, a::check_sender_address, s::message, ""},
    {"netease", "smtp.163.com", "554 MI:STC 163 smtp7,C8CowAD-1234 1700000000 Sender is temporarily blocked for today", p::mail, c::sending_quota_exceeded, a::retry_later, s::account, ""},
    {"netease", "smtp.163.com", "451 MI:SFQ 163 smtp7,C8CowAD-1234 1700000000, please try again later", p::mail, c::rate_limited, a::retry_later, s::account, ""},
    {"netease", "smtp.163.com", "451 Requested mail action not taken: too much fail authentication", p::auth, c::rate_limited, a::retry_later, s::account, "", false, c::rate_limited},
    {"netease", "smtp.163.com", "554 IP is rejected, smtp auth error limit exceed", p::auth, c::rate_limited, a::retry_later, s::account, "", false, c::rate_limited},

    // ---- Fastmail: smtp.fastmail.com --------------------------------------------------------------------
    {"fastmail", "smtp.fastmail.com", "550 5.7.1 <alice@example.org>: Sender address rejected: not owned by user bob@fastmail.com", p::mail, c::sender_rejected, a::check_sender_address, s::message, ""},
    {"fastmail", "smtp.fastmail.com", "535 5.7.0 authentication failed", p::auth, c::app_password_required, a::create_app_password, s::account, "", false, c::authentication_failed},
};
// clang-format on

}  // namespace

TEST_SUITE("classify.providers") {
    TEST_CASE("providers.tsv rows with the submission host and without") {
        for (const auto& t : cases) {
            CAPTURE(t.reply);
            CAPTURE(t.host);
            const bool transient = t.reply[0] == '4';
            const auto v = classify_reply(t.reply, t.ph, t.host);
            check4(v, {t.cond, t.act, t.sc, transient});
            CHECK(v.provider == t.provider);
            // "Retry later" always comes with a wait; a permanent failure with another
            // action never does (a transient one keeps its condition's default wait).
            if (v.act == a::retry_later) {
                CHECK(v.retry.has_value());
            } else if (!transient) {
                CHECK_FALSE(v.retry.has_value());
            }
            CHECK(v.help_url == t.help_url);

            const auto bare = classify_reply(t.reply, t.ph);
            CAPTURE(bare.rule);
            if (t.signature) {
                CHECK(bare.provider == t.provider);
                CHECK(bare.cond == t.cond);
                CHECK(bare.act == t.act);
                CHECK(bare.sc == t.sc);
                CHECK(bare.help_url == t.help_url);
            } else {
                CHECK(bare.provider.empty());
                REQUIRE(t.generic.has_value());
                CHECK(bare.cond == *t.generic);
                CHECK(bare.help_url.empty());
            }
            CHECK(bare.transient == transient);
        }
    }

    TEST_CASE("retry hints of the sending limits") {
        const auto daily =
            classify_reply("550 5.4.5 Daily user sending limit exceeded. a1sm1 - gsmtp", p::mail,
                           "smtp.gmail.com");
        CHECK(daily.retry == 24u * 3600u);
        const auto logins = classify_reply(
            "454 4.7.0 Too many login attempts, please try again later. a1sm1 - gsmtp", p::auth);
        CHECK(logins.retry == 30u * 60u);
        const auto rate = classify_reply(m("421 4.4.2 Message submission rate for this client has "
                                           "exceeded the configured limit"),
                                         p::data_end, "smtp.office365.com");
        CHECK(rate.retry == 60u);
    }

    TEST_CASE("host suffixes: subdomains match, look-alikes do not") {
        const std::string reply = "535 5.7.8 Error: authentication failed";
        CHECK(classify_reply(reply, p::auth, "smtp.mail.me.com").provider == "icloud");
        CHECK(classify_reply(reply, p::auth, "SMTP.MAIL.ME.COM.").provider == "icloud");
        CHECK(classify_reply(reply, p::auth, "me.com").provider == "icloud");
        CHECK(classify_reply(reply, p::auth, "smtp.notme.com").provider.empty());
        CHECK(classify_reply(reply, p::auth, "me.com.evil.example").provider.empty());
        CHECK(classify_reply(reply, p::auth, "smtp.example.org").provider.empty());
        // The host decides over a signature of another provider in the text.
        CHECK(classify_reply("550 5.1.1 user unknown - gsmtp", p::rcpt, "smtp.office365.com")
                  .provider == "microsoft");
    }

    TEST_CASE("MTA-to-MTA reputation rows are classified by what they say") {
        // Receiving-side refusals of the sending server's IP (providers.tsv "server
        // reputation"): a submission client only sees them relayed, but they stay sensible.
        CHECK(classify_reply("421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due "
                             "to unexpected volume or user complaints",
                             p::mail)
                  .cond == c::rate_limited);
        CHECK(classify_reply("553 5.7.2 [TSS09] All messages from 192.0.2.1 will be permanently "
                             "deferred",
                             p::mail)
                  .cond == c::client_blocked);
        CHECK(classify_reply("554 IP=192.0.2.1 - None/bad reputation (NOWL)", p::greeting).cond ==
              c::client_blocked);
        CHECK(classify_reply("554 Nemesis ESMTP Service not available IP address is block listed",
                             p::greeting)
                  .cond == c::client_blocked);
    }
}
