// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// The classification data, in one place: providers, the rule table in priority order (the
// first match wins), and the defaults per condition. Facts come from RFC 5321/3463/4954/
// 6409 and from the providers' own documentation (see docs/classification.md).

#include "classify/rules.hpp"

#include <iterator>

namespace smtperr::detail {

namespace {

using c = smtperr::condition;
using a = smtperr::action;
constexpr std::int8_t s_conn = static_cast<std::int8_t>(scope::connection);
constexpr std::int8_t s_acct = static_cast<std::int8_t>(scope::account);
constexpr std::int8_t s_msg = static_cast<std::int8_t>(scope::message);
constexpr std::int8_t s_rcpt = static_cast<std::int8_t>(scope::recipient);
constexpr std::int8_t s_def = -1;
constexpr std::uint32_t minutes = 60;
constexpr std::uint32_t hours = 3600;
/// Every phase but AUTH and STARTTLS, whose generic rules decide by code (RFC 3207, 4954).
constexpr auto p_not_secure = static_cast<std::uint16_t>(0x7ff & ~p_auth & ~p_starttls);
/// Every phase but AUTH, where a 530 asks for TLS first (RFC 4954 §6).
constexpr auto p_not_auth = static_cast<std::uint16_t>(0x7ff & ~p_auth);
/// What a server says when it will not serve: one meaning per class and phase (see the rules).
constexpr std::string_view service_unavailable_texts =
    "service unavailable|service currently unavailable|service not available|"
    "service temporarily unavailable";

}  // namespace

const provider_info providers[] = {
    {"gmail", "gmail.com|googlemail.com|google.com", "gsmtp",
     "support.google.com|developers.google.com/gmail/"},
    {"microsoft", "outlook.com|office365.com|hotmail.com|live.com|microsoft.com",
     "prod.outlook.com|protection.outlook.com|storedrv|prod.exchangelabs.com",
     "aka.ms|go.microsoft.com|learn.microsoft.com|support.microsoft.com|docs.microsoft.com|"
     "sender.office.com|postmaster.live.com"},
    {"yahoo", "yahoo.com|aol.com|yahoodns.net|ymail.com",
     "(#auth0|[tss0|yahoo inc|yahooinc.com|verizonmedia.com",
     "help.yahoo.com|senders.yahooinc.com|postmaster.yahooinc.com|postmaster.verizonmedia.com|"
     "help.aol.com|postmaster.aol.com"},
    {"icloud", "icloud.com|me.com|mac.com|apple.com", "[cs01]|icloud.com", "support.apple.com"},
    {"gmx", "gmx.net|gmx.com|gmx.de|web.de|ionos.de|ionos.com|1and1.com|kundenserver.de",
     "nemesis esmtp|senderguidelines|postmaster.gmx|postmaster.web.de",
     "postmaster.gmx.net|postmaster.gmx.com|postmaster.gmx.de|postmaster.web.de|hilfe.gmx.net|"
     "hilfe.web.de|help.gmx.com|web.de/email/senderguidelines|www.ionos.de/hilfe/|"
     "www.ionos.com/help/"},
    {"t-online", "t-online.de|telekom.de", "(nowl)|t-online.de",
     "postmaster.t-online.de|www.telekom.de/hilfe/"},
    {"zoho", "zoho.com|zoho.eu|zoho.in|zohomail.com|zeptomail.com", "zoho mail|zoho.com",
     "mail.zoho.com/UnblockMe|www.zoho.com/mail/help/|www.zoho.eu/mail/help/|"
     "www.zoho.in/mail/help/|www.zoho.com/zeptomail/help/"},
    {"yandex", "yandex.ru|yandex.com|yandex.net|ya.ru",
     "yandex|this user does not have access rights to this service",
     "yandex.ru/support/|yandex.com/support/"},
    {"mailru", "mail.ru|list.ru|bk.ru|inbox.ru", "neobhodim|mail.ru", "help.mail.ru"},
    {"qq", "qq.com|foxmail.com", "service.mail.qq.com|open smtp flag", "service.mail.qq.com"},
    {"netease", "163.com|126.com|yeah.net|netease.com|188.com",
     "dt:spm|dt:sum|mi:stc|mi:sfq|netease",
     "mail.163.com/help/|help.mail.163.com|mail.126.com/help/|help.mail.126.com"},
    {"fastmail", "fastmail.com|fastmail.fm|messagingengine.com", "messagingengine|fastmail",
     "www.fastmail.help|fastmail.help|www.fastmail.com/help/"},
};
const std::size_t provider_count = std::size(providers);

// clang-format off
const rule rules[] = {
    // ---- Provider rules (submission-relevant rows of providers.tsv) ------------------------
    // Gmail / Google Workspace
    {"gmail.oauth_invalid", "gmail", p_auth, 535, 7, 8, "", c::oauth_token_invalid, a::none, s_def, 0, "https://developers.google.com/gmail/imap/xoauth2-protocol", {}, mechanism::oauth},
    {"gmail.app_password", "gmail", p_auth, 534, 7, 9, "application-specific password", c::app_password_required, a::none, s_def, 0, "https://support.google.com/mail/?p=InvalidSecondFactor"},
    {"gmail.web_login", "gmail", p_auth, 534, 7, 14, "", c::web_login_required, a::none, s_def, 0, "https://support.google.com/mail/answer/78754"},
    {"gmail.bad_credentials", "gmail", p_auth, 535, 7, 8, "", c::authentication_failed, a::none, s_def, 0, "https://support.google.com/mail/?p=BadCredentials"},
    {"gmail.too_many_logins", "gmail", p_auth, 454, 7, 0, "too many login attempts", c::rate_limited, a::retry_later, s_acct, 30 * minutes, "https://support.google.com/mail/answer/7126229", "too_many_sign_ins"},
    {"gmail.auth_required", "gmail", any_phase, 530, 5, 1, "", c::authentication_required, a::none, s_def, 0, "https://support.google.com/mail/?p=WantAuthError"},
    {"gmail.mechanism", "gmail", p_auth, 504, 7, 4, "", c::auth_mechanism_rejected},
    {"gmail.identity_change", "gmail", p_auth, 503, 7, 0, "no identity changes", c::bad_sequence},
    {"gmail.daily_limit", "gmail", any_phase, 5, 4, 5, "", c::sending_quota_exceeded, a::retry_later, s_acct, 24 * hours, "https://support.google.com/a/answer/166852"},
    {"gmail.relay_daily_limit", "gmail", any_phase, 5, -1, -1, "daily smtp relay limit", c::sending_quota_exceeded, a::retry_later, s_acct, 24 * hours, "https://support.google.com/a/answer/166852"},
    {"gmail.peak_relay_limit", "gmail", any_phase, 450, 2, 1, "peak smtp relay limit", c::rate_limited, a::retry_later, s_acct, 15 * minutes},
    {"gmail.receiving_too_quickly", "gmail", any_phase, 4, 2, 1, "receiving mail", c::rate_limited, a::retry_later, s_rcpt, 30 * minutes},
    {"gmail.too_many_recipients", "gmail", any_phase, 452, 5, 3, "", c::too_many_recipients, a::none, s_def, 0, "https://support.google.com/mail/?p=TooManyRecipientsError"},
    {"gmail.size", "gmail", any_phase, 552, 3, 4, "", c::message_too_large, a::none, s_def, 0, "https://support.google.com/mail/?p=MaxSizeError"},
    {"gmail.blocked_content", "gmail", any_phase, 552, 7, 0, "", c::message_content_rejected, a::edit_message, s_msg, 0, "https://support.google.com/mail/?p=BlockedMessage"},
    {"gmail.unsolicited", "gmail", any_phase, 550, 7, 1, "unsolicited", c::spam_rejected, a::none, s_def, 0, "https://support.google.com/mail/?p=UnsolicitedMessageError"},
    {"gmail.admin_policy", "gmail", any_phase, 550, 7, 1, "policy that prohibited", c::transaction_rejected, a::contact_provider, s_msg, 0, {}, "admin_policy"},
    {"gmail.relay_credentials", "gmail", any_phase, 550, 7, 1, "invalid credentials for relay", c::relay_denied, a::none, s_acct},
    {"gmail.relay_denied", "gmail", any_phase, 550, 7, 0, "mail relay denied", c::relay_denied, a::none, s_acct},
    {"gmail.sending_denied", "gmail", any_phase, 550, 7, 0, "mail sending denied", c::account_restricted, a::contact_provider},
    {"gmail.dmarc", "gmail", any_phase, 550, 7, 26, "", c::domain_policy_rejected, a::check_sender_address, s_msg, 0, "https://support.google.com/mail/?p=DmarcRejection"},
    {"gmail.throttled", "gmail", any_phase, 421, 7, 0, "try again later", c::rate_limited, a::retry_later, s_conn, 10 * minutes},
    {"gmail.multiple_domains", "gmail", any_phase, 451, 3, 0, "multiple destination domains", c::transaction_rejected, a::split_recipients, s_msg},
    {"gmail.no_such_user", "gmail", p_not_sender, 550, 1, 1, "", c::recipient_unknown, a::none, s_def, 0, "https://support.google.com/mail/?p=NoSuchUser"},
    {"gmail.bad_domain", "gmail", p_not_sender, 553, 1, 2, "", c::recipient_domain_invalid, a::none, s_def, 0, "https://support.google.com/mail/?p=BadRcptDomain"},
    {"gmail.disabled_user", "gmail", p_not_sender, 550, 2, 1, "", c::recipient_mailbox_unavailable, a::none, s_def, 0, "https://support.google.com/mail/?p=DisabledUser"},

    // Microsoft 365 / Exchange Online / Outlook.com
    // Switched off for the tenant: OAuth cannot help either (docs/classification.md).
    {"microsoft.smtp_auth_disabled", "microsoft", p_auth, 535, 7, 139, "smtpclientauthentication is disabled", c::authentication_unavailable, a::contact_provider, s_acct, 0, "https://aka.ms/smtp_auth_disabled", "smtp_auth_disabled"},
    {"microsoft.oauth_invalid", "microsoft", p_auth, 535, -1, -1, "", c::oauth_token_invalid, a::none, s_def, 0, {}, {}, mechanism::oauth},
    {"microsoft.basic_auth_disabled", "microsoft", p_auth, 535, 7, 139, "basic authentication is disabled", c::basic_auth_disabled},
    {"microsoft.security_defaults", "microsoft", p_auth, 535, 7, 139, "security defaults", c::basic_auth_disabled, a::contact_provider},
    {"microsoft.conditional_access", "microsoft", p_auth, 535, 7, 139, "did not meet the criteria", c::account_restricted, a::contact_provider},
    {"microsoft.federation", "microsoft", p_auth, 535, 7, 139, "federated sts", c::authentication_unavailable, a::contact_provider, s_def, 0, {}, "smtp_auth_disabled"},
    {"microsoft.bad_credentials", "microsoft", p_auth, 535, 7, -1, "", c::authentication_failed},
    {"microsoft.basic_auth_retired", "", any_phase, 5, 7, 30, "basic authentication is not supported", c::basic_auth_disabled},
    // "530 5.7.57 Client not authenticated … Error: 535 5.7.139 … SmtpClientAuthentication is
    // disabled": the sign-in failed because it is switched off; a password cannot help.
    {"microsoft.not_authenticated_disabled", "microsoft", any_phase, 530, 7, 57, "smtpclientauthentication is disabled", c::authentication_unavailable, a::contact_provider, s_acct, 0, "https://aka.ms/smtp_auth_disabled", "smtp_auth_disabled"},
    {"microsoft.not_authenticated", "microsoft", any_phase, 530, 7, 57, "", c::authentication_required},
    {"microsoft.tls_version", "microsoft", any_phase, 421, 7, 66, "", c::tls_failed, a::check_account_settings, s_conn},
    {"microsoft.send_as", "microsoft", any_phase, 5, -1, -1, "send as this sender|sendasdenied", c::sender_rejected},
    {"microsoft.sender_throttled", "microsoft", any_phase, 550, 2, -1, "sender throttled", c::rate_limited, a::retry_later, s_acct, 1 * hours, {}, "sender_throttled"},
    {"microsoft.bad_outbound_sender", "microsoft", any_phase, 550, 1, 8, "", c::account_restricted, a::contact_provider},
    {"microsoft.submission_quota", "microsoft", any_phase, 5, 2, 2, "submission quota|submissionquotaexceeded", c::sending_quota_exceeded, a::retry_later, s_acct, 24 * hours},
    {"microsoft.daily_recipients", "microsoft", any_phase, 550, 1, 90, "", c::sending_quota_exceeded, a::retry_later, s_acct, 24 * hours},
    {"microsoft.thread_limit", "microsoft", any_phase, 432, 3, 2, "", c::rate_limited, a::retry_later, s_acct, 1 * minutes},
    {"microsoft.rate_limit", "microsoft", any_phase, 421, 4, 2, "submission rate", c::rate_limited, a::retry_later, s_acct, 1 * minutes},
    {"microsoft.hip_send", "microsoft", any_phase, 554, 2, 0, "hipsend", c::web_login_required, a::sign_in_via_web, s_acct},
    {"microsoft.refuse_quota", "microsoft", any_phase, 554, 2, 0, "refusequota", c::sending_quota_exceeded, a::retry_later, s_acct, 24 * hours},
    {"microsoft.outbound_spam", "microsoft", any_phase, 554, 2, 0, "outboundspamexception", c::account_restricted, a::contact_provider},
    {"microsoft.ip_pool", "microsoft", any_phase, 550, 7, 708, "", c::account_restricted, a::contact_provider, s_acct},
    {"microsoft.tenant_threshold", "microsoft", any_phase, 550, 7, 705, "", c::account_restricted, a::contact_provider},
    {"microsoft.unregistered_domain", "microsoft", any_phase, 550, 7, 750, "", c::account_restricted, a::contact_provider},
    {"microsoft.tenant_block_list", "microsoft", any_phase, 550, 7, 703, "", c::domain_policy_rejected, a::contact_provider, s_msg},
    {"microsoft.spam_abuse", "microsoft", any_phase, 550, 7, -1, "spam abuse detected|banned sender", c::account_restricted, a::contact_provider},
    {"microsoft.ip_throttling", "microsoft", any_phase, 451, 7, -1, "server busy|access denied, please try again later", c::rate_limited, a::retry_later, s_conn, 1 * hours},
    {"microsoft.rfc5322", "microsoft", any_phase, 550, 7, 512, "", c::message_content_rejected, a::edit_message, s_msg},
    {"microsoft.relay_denied", "microsoft", p_not_sender, 550, 4, 1, "relay access denied", c::relay_denied},
    {"microsoft.directory_edge", "microsoft", p_not_sender, 550, 4, 1, "access denied", c::recipient_unknown},
    {"microsoft.recipient_not_found", "microsoft", p_not_sender, 550, 1, 10, "", c::recipient_unknown},
    {"microsoft.group_restriction", "microsoft", p_not_sender, 550, 7, -1, "not in allowed-senders|not authenticated for group", c::recipient_mailbox_unavailable, a::contact_recipient, s_rcpt, 0, {}, "recipient_restricted"},

    // Yahoo / AOL
    {"yahoo.auth", "yahoo", p_auth, 535, -1, -1, "(#auth005)", c::app_password_required, a::none, s_def, 0, {}, {}, mechanism::password},
    {"yahoo.policy", "yahoo", any_phase, 554, 7, 9, "policy reasons", c::message_content_rejected, a::edit_message, s_msg},
    {"yahoo.deferred", "yahoo", any_phase, 421, -1, -1, "[tss04]", c::rate_limited, a::retry_later, s_conn, 1 * hours},
    {"yahoo.ip_blocked", "yahoo", any_phase, 553, -1, -1, "[tss09]", c::client_blocked, a::contact_provider, s_conn},
    {"yahoo.no_account", "yahoo", p_not_sender, 554, -1, -1, "doesn't have a yahoo.com account", c::recipient_unknown},
    {"yahoo.disabled", "yahoo", p_not_sender, 554, -1, -1, "mailbox is disabled", c::recipient_mailbox_unavailable},
    {"yahoo.max_per_connection", "yahoo", any_phase, 421, -1, -1, "max message per connection", c::service_unavailable, a::retry_later, s_conn, 1 * minutes},

    // Apple iCloud
    {"icloud.auth", "icloud", p_auth, 535, -1, -1, "", c::app_password_required, a::none, s_def, 0, "https://support.apple.com/en-us/102654", {}, mechanism::password},
    {"icloud.from_address", "icloud", any_phase, 550, 7, 0, "not one of your addresses", c::sender_rejected},
    {"icloud.policy", "icloud", any_phase, 5, 7, 1, "[cs01]", c::message_content_rejected, a::edit_message, s_msg},
    {"icloud.volume", "icloud", any_phase, 421, 7, 1, "excessive volume", c::rate_limited, a::retry_later, s_rcpt, 1 * hours},

    // GMX / WEB.DE / IONOS (no enhanced codes)
    {"gmx.auth", "gmx", p_auth, 535, -1, -1, "", c::authentication_failed, a::none, s_def, 0, {}, {}, mechanism::password},
    {"gmx.sender", "gmx", any_phase, 550, -1, -1, "sender address is not allowed", c::sender_rejected},
    {"gmx.policy", "gmx", any_phase, 554, -1, -1, "policy restrictions", c::spam_rejected},
    {"gmx.ip_blocked", "gmx", any_phase, 554, -1, -1, "block listed|blocklisted", c::client_blocked, a::contact_provider, s_conn},

    // T-Online
    {"t-online.auth", "t-online", p_auth, 535, -1, -1, "", c::app_password_required, a::none, s_def, 0, {}, {}, mechanism::password},
    {"t-online.reputation", "t-online", any_phase, 554, -1, -1, "(nowl)|reputation", c::client_blocked, a::contact_provider, s_conn},

    // Zoho
    {"zoho.relaying", "zoho", any_phase, 553, -1, -1, "relaying disallowed|not allowed to relay", c::sender_rejected},
    {"zoho.unusual_activity", "zoho", any_phase, 550, 4, 6, "", c::account_restricted, a::contact_provider, s_acct, 0, "https://mail.zoho.com/UnblockMe"},
    {"zoho.outgoing_blocked", "zoho", any_phase, 554, 1, 8, "", c::account_restricted, a::contact_provider},
    {"zoho.virus", "zoho", any_phase, 552, 7, 1, "virus", c::message_content_rejected, a::edit_message, s_msg},

    // Yandex
    {"yandex.access_rights", "yandex", p_auth, 535, -1, -1, "does not have access rights", c::app_password_required, a::none, s_def, 0, {}, {}, mechanism::password},
    {"yandex.bad_credentials", "yandex", p_auth, 535, -1, -1, "invalid user or password", c::authentication_failed, a::none, s_def, 0, {}, {}, mechanism::password},

    // Mail.ru
    {"mailru.app_password", "mailru", p_auth, 535, -1, -1, "application password is required", c::app_password_required, a::none, s_def, 0, {}, {}, mechanism::password},
    {"mailru.not_local_sender", "mailru", any_phase, 550, -1, -1, "not local sender", c::sender_rejected},

    // QQ / Tencent
    {"qq.authorization_code", "qq", p_auth, 535, -1, -1, "authorization code", c::app_password_required, a::none, s_def, 0, {}, {}, mechanism::password},
    {"qq.smtp_disabled", "qq", p_auth, 454, -1, -1, "open smtp flag", c::authentication_unavailable, a::check_account_settings, s_acct, 0, {}, "smtp_access_off"},
    {"qq.frequency", "qq", any_phase, 550, -1, -1, "frequency limited", c::rate_limited, a::retry_later, s_acct, 1 * hours},
    {"qq.content", "qq", any_phase, 550, -1, -1, "content denied|spam is embedded", c::spam_rejected},

    // NetEase 163 / 126
    {"netease.no_permission", "netease", any_phase, 550, -1, -1, "user has no permission", c::app_password_required},
    {"netease.spam", "netease", any_phase, 554, -1, -1, "dt:spm", c::spam_rejected},
    {"netease.envelope_mismatch", "netease", any_phase, 554, -1, -1, "dt:sum", c::sender_rejected},
    {"netease.daily_quota", "netease", any_phase, 554, -1, -1, "mi:stc", c::sending_quota_exceeded, a::retry_later, s_acct, 24 * hours},
    {"netease.quarter_hour_quota", "netease", any_phase, 451, -1, -1, "mi:sfq", c::rate_limited, a::retry_later, s_acct, 15 * minutes},
    {"netease.auth_failures", "netease", any_phase, 0, -1, -1, "too much fail authentication|auth error limit exceed", c::rate_limited, a::retry_later, s_acct, 1 * hours, {}, "too_many_sign_ins"},

    // Fastmail: third-party clients sign in with app passwords only
    {"fastmail.auth", "fastmail", p_auth, 535, -1, -1, "", c::app_password_required, a::none, s_def, 0, {}, {}, mechanism::password},

    // ---- Generic rules, refined by text -----------------------------------------------------
    // Sign-in. OAuth mechanisms first: a 535 to XOAUTH2/OAUTHBEARER means the token.
    {"oauth.token_rejected", "", p_auth, 535, -1, -1, "", c::oauth_token_invalid, a::none, s_def, 0, {}, {}, mechanism::oauth},
    {"oauth.token_rejected_534", "", p_auth, 534, -1, -1, "", c::oauth_token_invalid, a::none, s_def, 0, {}, {}, mechanism::oauth},
    {"auth.app_password", "", any_phase, 0, -1, -1, "application-specific password|app password|application password|app-specific password|authorization code|parol prilozheniya", c::app_password_required},
    {"auth.web_login", "", any_phase, 0, -1, -1, "log in via your web browser|sign in via your web browser|login via web|web login required", c::web_login_required},
    {"auth.basic_disabled", "", any_phase, 0, -1, -1, "basic authentication is disabled|basic authentication is not supported|basic auth is disabled", c::basic_auth_disabled},
    {"auth.smtp_disabled", "", any_phase, 0, -1, -1, "smtpclientauthentication is disabled|smtp auth is disabled|smtp authentication is disabled|authenticated smtp is disabled", c::authentication_unavailable, a::contact_provider, s_acct, 0, {}, "smtp_auth_disabled"},
    {"auth.password_expired", "", any_phase, 0, -1, -1, "password expired|password has expired|password must be changed", c::password_expired},
    {"tls.unsupported", "", any_phase, 0, -1, -1, "does not support tls|does not support starttls|tls not supported|starttls not supported", c::starttls_unavailable},
    {"tls.required", "", any_phase, 0, -1, -1, "must issue a starttls|starttls first|tls required|requires tls|encryption required|must use tls|tls is required|requires encryption", c::encryption_required},
    {"auth.required", "", any_phase, 0, -1, -1, "authentication required|authentication is required|auth required|must authenticate|authenticate first|send auth command first|authorization required|not authenticated|please login|login required|sender not authenticated|unauthenticated senders|turn on smtp authentication|enable smtp authentication", c::authentication_required},
    {"auth.account_disabled", "", p_auth | p_mail | p_greeting | p_hello, 0, -1, -1, "account disabled|account is disabled|account has been disabled|account locked|account is locked|account has been locked|account suspended|account has been suspended|account blocked|user account disabled|access rights to this service", c::account_restricted},
    // The sender's own account, refused where Postfix checks its restrictions by default: at
    // RCPT (smtpd_delay_reject) or after the data. Not the recipient's mailbox.
    {"account.disabled_late", "", p_recipient, 0, -1, -1, "your account has been suspended|your account is suspended|your account has been disabled|your account is disabled|your account has been locked|your account is locked|your account has been blocked|sasl login name rejected", c::account_restricted},
    {"auth.failure_limit", "", any_phase, 0, -1, -1, "auth error limit|fail authentication|too many bad auth", c::rate_limited, a::retry_later, s_acct, 30 * minutes, {}, "too_many_sign_ins"},
    {"auth.failed_text", "", p_auth, 5, -1, -1, "authentication failure|authentication failed|authentication unsuccessful", c::authentication_failed, a::none, s_def, 0, {}, {}, mechanism::password},
    {"auth.temporary", "", p_auth, 4, -1, -1, "too many login attempts|too many failed|too many authentication failures|login attempts", c::rate_limited, a::retry_later, s_acct, 30 * minutes, {}, "too_many_sign_ins"},
    {"account.sending_blocked", "", any_phase, 0, -1, -1, "unusual sending activity|unusual activity|suspicious activity|outgoing blocked|outgoing mail blocked|outgoing mail has been|blocked from sending|sending has been disabled|sending has been blocked", c::account_restricted},

    // Greylisting before rate limits: both say "later", greylisting says how.
    {"greylisted", "", any_phase, 4, -1, -1, "greylist|graylist|grey list|gray list|grey-list|gray-list|postgrey|greylisting", c::greylisted},
    {"quota.sending", "", any_phase, 0, -1, -1, "sending quota|sending limit|daily limit|daily quota|relay quota|submission quota|message limit exceeded|daily user sending|recipient rate limit|messages per day|quota of messages", c::sending_quota_exceeded},
    {"rate.limited", "", any_phase, 0, -1, -1, "rate limit|ratelimit|rate-limit|too many messages|too many connections|too many recipients from|too much mail from|too many auth commands|too many new tls sessions|too many concurrent|sending rate|throttl|too fast|too quickly|again slower|at a rate that|per hour|this hour|per minute|connection frequency|frequency limited|exceeded the configured limit|slow down|try again in a few|unexpected volume|excessive volume", c::rate_limited},

    // Recipient limits, relaying and the sender's identity.
    {"recipient.mailbox_full", "", p_recipient, 0, -1, -1, "mailbox full|mailbox is full|over quota|overquota|quota exceeded|out of storage|insufficient storage for|mailbox size limit|user is over|mailbox has exceeded|mailbox exceeds|mailbox exceeded|inbox is full|folder is full|mailfolder is full|disk quota|inbox is out of storage", c::recipient_mailbox_full},
    {"recipient.too_many", "", any_phase, 0, -1, -1, "too many recipients|recipient limit|too many rcpt|maximum number of recipients|recipients per message", c::too_many_recipients},
    {"relay.denied", "", p_recipient, 0, -1, -1, "relay access denied|relaying denied|relay not permitted|not permitted to relay|relaying disallowed|unable to relay|relay denied|we do not relay|no relaying|relaying not allowed|not allowed to relay|relay prohibited|configured to relay", c::relay_denied},
    {"sender.not_owned", "", any_phase, 0, -1, -1, "not owned by|not allowed to send as|send as denied|send mail as|sender is not allowed|sender address is not allowed|must be same as|must equal|not local sender|not one of your addresses|does not have permissions to send|sender address rejected: not|email address is not verified|identities failed the check", c::sender_rejected},

    // Message format, then sender authentication (SPF, DKIM, DMARC) and the client's address.
    {"content.malformed", "", any_phase, 0, -1, -1, "header error|headers too large|header too large|too many headers|duplicate header|multiple addresses in from|rfc 5322|rfc5322|rfc 2822|rfc2822|improperly-formatted|improperly formatted|8-bit data|8bit data|malformed header|invalid header|missing header|bare lf", c::message_content_rejected, a::edit_message, s_msg},
    {"policy.dmarc", "", any_phase, 0, -1, -1, "dmarc|spf|dkim|sender policy framework|domainkeys|authentication checks|authentication information|fails to pass authentication|purported responsible", c::domain_policy_rejected},
    // Postfix rejects the client's HELO name at RCPT unless smtpd_delay_reject is off: it is
    // about this client, not the recipient ("need fully-qualified hostname", "Host not found").
    {"client.helo", "", any_phase, 0, -1, -1, "helo command rejected|ehlo command rejected", c::client_blocked, a::contact_provider, s_conn, 0, {}, "helo_rejected"},
    {"client.no_ptr", "", any_phase, 0, -1, -1, "ptr record|reverse dns|reverse-dns|rdns|no ptr|ptr resource record|reverse hostname|cannot find your hostname|ip name lookup failed|reverse lookup", c::client_blocked},
    {"content.url_blocklist", "", any_phase, 0, -1, -1, "blacklisted url|blocklisted url|blacklisted link|blocklisted link|uribl|surbl|dbl.spamhaus", c::spam_rejected},
    {"client.blocked", "", any_phase, 0, -1, -1, "blocklist|blacklist|block list|black list|blocklisted|blacklisted|spamhaus|spamcop|dnsbl|rbl|cdrbl|sorbs|barracuda|bad reputation|poor reputation|low reputation|client host rejected|client host blocked|ip address blocked|ip blocked|blocked ip|your ip|ip address is block|banned|is listed|listed at|listed on|blocked using|open relay|smtp server of your isp|dynamic ip|dial-up|dialup", c::client_blocked},
    {"sender.rejected", "", any_phase, 0, -1, -1, "sender address rejected|domain of sender address|sender domain|unroutable sender|sender verify failed|sender verification failed|sender rejected|sender unknown|unknown sender|invalid sender|sender address is invalid|sender address invalid", c::sender_rejected},

    // Message content and size.
    {"content.virus", "", any_phase, 0, -1, -1, "virus|malware|infected|phish|dangerous attachment|illegal attachment|security issue|its content presents", c::message_content_rejected},
    {"content.spam", "", any_phase, 0, -1, -1, "spam|unsolicited|junk mail|bulk mail|content rejected|content filter|suspicious content|suspected spam", c::spam_rejected},
    {"policy.envelope", "", p_envelope, 0, -1, -1, "policy violation|denied by policy|policy reasons|local policy|policy restrictions|rejected for policy|against policy|violates policy", c::domain_policy_rejected},
    {"policy.content", "", p_message, 0, -1, -1, "policy violation|denied by policy|policy reasons|local policy|policy restrictions|rejected for policy|against policy|violates policy", c::message_content_rejected},
    {"message.too_large", "", any_phase, 0, -1, -1, "message too large|message too big|message is too large|message is too big|message size exceeds|size limit|size exceeds|exceeds the maximum|maximum message size|message length exceeds|too large|too big", c::message_too_large},
    {"message.loop", "", any_phase, 0, -1, -1, "mail loop|loop detected|loops back|routing loop|too many hops|hop count", c::message_loop},

    // Recipient texts. A 551 that names where to send instead is "not local" whatever its
    // enhanced code says (servers pair it with 5.1.6, "moved, no forwarding address").
    {"recipient.forward", "", p_rcpt, 551, -1, -1, "please try|forward-path|forward path", c::recipient_not_local},
    {"recipient.international", "", p_recipient, 0, -1, -1, "smtputf8|non-ascii|utf8 address|internationalized", c::international_address_unsupported},
    {"recipient.domain", "", p_recipient, 0, -1, -1, "domain not found|host not found|no such domain|unrouteable|unroutable|domain does not exist|domain not exist|no mx|null mx|domain does not accept mail|does not accept mail|host or domain name not found|find the recipient domain|name service error|unknown domain|invalid domain|domain name not found|host unknown|unknown host|illegal host|dns lookup failure|any host named|find a mail exchanger|domain is not reachable|no smtp service|name lookup failure", c::recipient_domain_invalid},
    {"recipient.bad_mailbox", "", p_recipient, 5, 1, 1, "", c::recipient_unknown},
    {"recipient.disabled", "", p_recipient, 0, -1, -1, "mailbox disabled|mailbox is disabled|account is disabled|account disabled|disabled recipient|recipient disabled|inactive|deactivated|suspend|no longer active|no longer in use|is disabled|has been disabled|not accepting mail|is locked|temporary locked|temporarily locked|mailbox locked|frozen|account is blocked", c::recipient_mailbox_unavailable},
    {"recipient.unknown", "", p_recipient, 0, -1, -1, "user unknown|unknown user|no such user|does not exist|doesn't exist|not exist|mailbox not found|unknown recipient|recipient not found|no mailbox|invalid recipient|recipient unknown|user not found|no such recipient|no such mailbox|unknown or illegal alias|not a valid mailbox|account that you tried to reach|unknown address|mailbox unknown|invalid mailbox|not listed in|no user|unknown local part|recipientnotfound|addressee unknown|not our customer|doesn't have a|unrouteable address", c::recipient_unknown},
    // Postfix's check_recipient_access REJECT and Microsoft's directory-based edge blocking:
    // in practice an address the domain does not have (Sisimai's reason: userunknown).
    {"recipient.access_denied", "", p_recipient, 5, -1, -1, "recipient address rejected: access denied", c::recipient_unknown},
    {"recipient.address_syntax", "", p_rcpt, 0, -1, -1, "syntax|malformed|name not allowed|bad address|illegal address|invalid address|fully-qualified|fully qualified", c::recipient_address_invalid},
    {"sender.address_syntax", "", p_mail, 0, -1, -1, "address syntax|malformed|bad address|illegal address|invalid address|fully-qualified|fully qualified|domain not found", c::sender_rejected},

    // The server's own trouble.
    // "Unavailable" in a 5yz is not a temporary state: at the greeting or EHLO, no service
    // here (RFC 5321 §3.1); later, the server's own failure.
    {"server.unavailable", "", any_phase, 4, -1, -1, service_unavailable_texts, c::service_unavailable},
    {"server.no_service", "", p_greeting | p_hello, 5, -1, -1, service_unavailable_texts, c::no_mail_service},
    {"server.failed", "", any_phase, 5, -1, -1, service_unavailable_texts, c::server_error},
    {"server.storage", "", any_phase, 0, -1, -1, "insufficient system storage|insufficient storage|disk full|out of disk|no space left|not enough disk space|mail system full|system full", c::server_storage_full},
    {"server.local_error", "", p_not_secure, 4, -1, -1, "temporary failure|temporary problem", c::server_error},
    {"server.internal_error", "", p_not_secure, 0, -1, -1, "local error|internal error|system error|processing error|mailer error|operating system error|write error|configuration error|config error|pipe to", c::server_error},
    {"server.network", "", any_phase, 0, -1, -1, "network error|no route to host|lost connection|connection refused|connection timed out|dns error|dns query failed", c::server_error},

    // ---- Generic rules by phase, basic code and enhanced code --------------------------------
    {"starttls.unavailable", "", p_starttls, 454, -1, -1, "", c::tls_unavailable},
    {"starttls.refused", "", p_starttls, 5, -1, -1, "", c::starttls_unavailable},
    // 450 to MAIL with a mailbox status: the mailbox is the sender's own (seed-codes.md: 450
    // is a busy or locked mailbox), not a recipient's.
    {"sender.mailbox_busy", "", p_mail, 450, 2, -1, "", c::transient_failure, a::retry_later, s_acct, 0, {}, "sender_mailbox_busy"},
    // Other mailbox statuses to MAIL: the sender's own mailbox too, but for a size.
    {"mail.message_size", "", p_mail, 0, 2, 3, "", c::message_too_large},
    {"mail.sender_mailbox", "", p_mail, 0, 2, -1, "", c::sender_rejected},
    {"auth.temporary_failure", "", p_auth, 454, -1, -1, "", c::authentication_temporary_failure},
    {"auth.mechanism", "", p_auth, 504, -1, -1, "", c::auth_mechanism_rejected},
    {"auth.sequence", "", p_auth, 503, -1, -1, "", c::bad_sequence},
    {"auth.cancelled", "", p_auth, 501, -1, -1, "", c::authentication_failed},
    {"auth.line_too_long", "", p_auth, 500, 5, 6, "", c::syntax_error},
    {"auth.required_530", "", p_auth, 530, -1, -1, "", c::encryption_required},
    // A 550 or 554 to AUTH refuses the sign-in: there is no recipient or message yet.
    {"auth.refused_550", "", p_auth, 550, -1, -1, "", c::authentication_failed},
    {"auth.refused_554", "", p_auth, 554, -1, -1, "", c::authentication_failed},
    {"mail.tls_530", "", any_phase, 530, 7, 0, "starttls|tls", c::encryption_required},
    // 530 means "authenticate first" (RFC 4954 §6, RFC 6409 §4.3), whatever enhanced code
    // the server pairs it with (5.5.1 in the registry, 5.7.1 or 5.7.0 in practice).
    {"session.auth_required_530", "", p_not_auth, 530, -1, -1, "", c::authentication_required},
    {"mail.size_transient", "", p_mail, 452, -1, -1, "", c::server_storage_full},
    // At MAIL the only address is the sender's: an address status (X.1.x) is about it,
    // temporary or not.
    {"mail.sender_address", "", p_mail, 0, 1, -1, "", c::sender_rejected},
    {"mail.sender_refused_5_7_1", "", p_mail, 5, 7, 1, "", c::sender_rejected},
    {"rcpt.account_disabled", "", p_rcpt, 0, 7, 13, "", c::recipient_mailbox_unavailable},
    {"status.no_ptr", "", any_phase, 0, 7, 25, "", c::client_blocked},
    {"status.envelope_5_7_9", "", p_envelope, 0, 7, 9, "", c::domain_policy_rejected},
    {"status.message_5_7_9", "", p_message, 0, 7, 9, "", c::message_content_rejected},
    {"hello.rejected", "", p_hello, 550, -1, -1, "", c::client_blocked, a::contact_provider},
    {"hello.refused", "", p_hello, 554, -1, -1, "", c::client_blocked, a::contact_provider},
    // At the greeting no sender or message is known yet: a security or policy status
    // there refuses this client, not a message (the registry's 5.7.1 would say message).
    {"greeting.policy", "", p_greeting, 5, 7, -1, "", c::client_blocked, a::contact_provider},
    {"data.rejected", "", p_data, 554, -1, -1, "", c::transaction_rejected, a::check_recipients},
    {"service.closing", "", any_phase, 421, -1, -1, "", c::service_unavailable},
    {"protocol.bad_sequence", "", any_phase, 503, -1, -1, "", c::bad_sequence},
    {"protocol.not_implemented", "", any_phase, 502, -1, -1, "", c::not_implemented},
    {"protocol.parameter_not_implemented", "", any_phase, 504, -1, -1, "", c::not_implemented},
    // X.3.2 "system not accepting network messages": shutdown, load or maintenance. Temporary,
    // it is an outage to wait out, not a server that takes no mail (the registry's 5.3.2).
    {"status.shutdown_4_3_2", "", any_phase, 4, 3, 2, "", c::service_unavailable},

    {"enhanced_status", "", any_phase, 0, -1, -1, "", c::none, a::none, s_def, 0, {}, {}, mechanism::any, rule_kind::status_default},

    {"recipient.not_local", "", p_recipient, 551, -1, -1, "", c::recipient_not_local},
    {"greeting.refused", "", p_greeting, 5, -1, -1, "", c::no_mail_service},
    {"mail.deferred", "", p_mail, 450, -1, -1, "", c::transient_failure},
    {"mail.refused", "", p_mail, 550, -1, -1, "", c::sender_rejected},
    {"mail.name_not_allowed", "", p_mail, 553, -1, -1, "", c::sender_rejected},
    {"mail.syntax", "", p_mail, 501, -1, -1, "", c::sender_rejected},
    {"mail.submission_rejected", "", p_mail, 554, -1, -1, "", c::transaction_rejected, a::check_sender_address},
    {"rcpt.policy", "", p_rcpt, 5, 7, -1, "", c::domain_policy_rejected},
    {"rcpt.unknown", "", p_rcpt, 550, -1, -1, "", c::recipient_unknown},
    {"rcpt.unavailable", "", p_rcpt, 450, -1, -1, "", c::recipient_mailbox_unavailable},
    {"rcpt.too_many", "", p_rcpt, 452, -1, -1, "", c::too_many_recipients},
    {"rcpt.over_storage", "", p_rcpt, 552, -1, -1, "", c::recipient_mailbox_full},
    {"rcpt.syntax", "", p_rcpt, 501, -1, -1, "", c::recipient_address_invalid},
    {"rcpt.rejected", "", p_rcpt, 554, -1, -1, "", c::transaction_rejected, a::check_recipients, s_rcpt},
    {"data.unavailable", "", p_data, 550, -1, -1, "", c::transaction_rejected},
    {"data_end.rejected", "", p_data_end, 554, -1, -1, "", c::message_content_rejected},
    {"data_end.policy", "", p_data_end, 550, -1, -1, "", c::message_content_rejected},
    {"data_end.policy_transient", "", p_data_end, 450, -1, -1, "", c::transient_failure},
    // No recipient exists before RCPT or after the transaction: there the codes whose
    // context-free meaning is a recipient's (450, 550, 551, 553, 556) say no more than their
    // class, and at MAIL the address is the sender's.
    {"auth.deferred", "", p_auth, 450, -1, -1, "", c::authentication_temporary_failure},
    {"session.deferred", "", p_no_address & ~p_auth, 450, -1, -1, "", c::transient_failure},
    // 454 is about sign-in only after AUTH and about TLS after STARTTLS (RFC 4954, 3207);
    // elsewhere ("454 Relaying temporarily denied", "454 4.7.0 Message deferred") it says no
    // more than its class: a prompt for the password there would be wrong.
    {"session.454", "", p_not_secure, 454, -1, -1, "", c::transient_failure},
    {"session.refused_550", "", p_rset | p_quit, 550, -1, -1, "", c::permanent_failure},
    {"session.not_local", "", p_no_address | p_mail, 551, -1, -1, "", c::permanent_failure},
    {"session.name_not_allowed", "", p_no_address, 553, -1, -1, "", c::permanent_failure},
    {"mail.domain_refused", "", p_mail, 556, -1, -1, "", c::sender_rejected},
    {"session.domain_refused", "", p_no_address, 556, -1, -1, "", c::permanent_failure},
};
// clang-format on
const std::size_t rule_count = std::size(rules);

// clang-format off
const condition_defaults defaults_by_condition[] = {
    // transient action, permanent action, scope, retry
    {a::none, a::none, scope::connection, 0},                                  // none
    {a::reauthenticate, a::reauthenticate, scope::account, 0},                 // authentication_required
    {a::reauthenticate, a::reauthenticate, scope::account, 0},                 // authentication_failed
    {a::retry_later, a::retry_later, scope::account, 5 * minutes},             // authentication_temporary_failure
    {a::retry_later, a::check_account_settings, scope::account, 30 * minutes},  // authentication_unavailable
    {a::check_account_settings, a::check_account_settings, scope::account, 0},  // auth_mechanism_rejected
    {a::create_app_password, a::create_app_password, scope::account, 0},       // app_password_required
    {a::sign_in_via_web, a::sign_in_via_web, scope::account, 0},               // web_login_required
    {a::refresh_token, a::refresh_token, scope::account, 0},                   // oauth_token_invalid
    {a::sign_in_via_web, a::sign_in_via_web, scope::account, 0},               // basic_auth_disabled
    {a::reauthenticate, a::reauthenticate, scope::account, 0},                 // password_expired
    {a::retry_later, a::contact_provider, scope::account, 1 * hours},          // account_restricted
    {a::check_account_settings, a::check_account_settings, scope::connection, 0},  // encryption_required
    {a::retry_later, a::check_account_settings, scope::connection, 5 * minutes},   // tls_unavailable
    {a::retry_later, a::check_sender_address, scope::message, 10 * minutes},   // sender_rejected
    {a::retry_later, a::retry_later, scope::account, 1 * hours},               // sending_quota_exceeded
    {a::retry_later, a::retry_later, scope::account, 10 * minutes},            // rate_limited
    {a::retry_later, a::retry_later, scope::message, 5 * minutes},             // greylisted
    {a::retry_later, a::contact_provider, scope::connection, 1 * hours},       // client_blocked
    {a::check_account_settings, a::check_account_settings, scope::recipient, 0},  // relay_denied
    {a::retry_later, a::edit_message, scope::message, 30 * minutes},           // spam_rejected
    {a::retry_later, a::check_sender_address, scope::message, 30 * minutes},   // domain_policy_rejected
    {a::retry_later, a::check_recipients, scope::recipient, 30 * minutes},     // recipient_unknown
    {a::check_recipients, a::check_recipients, scope::recipient, 0},           // recipient_address_invalid
    {a::retry_later, a::check_recipients, scope::recipient, 30 * minutes},     // recipient_domain_invalid
    {a::retry_later, a::contact_recipient, scope::recipient, 1 * hours},       // recipient_mailbox_full
    {a::retry_later, a::contact_recipient, scope::recipient, 15 * minutes},    // recipient_mailbox_unavailable
    {a::check_recipients, a::check_recipients, scope::recipient, 0},           // recipient_not_local
    {a::split_recipients, a::split_recipients, scope::message, 0},             // too_many_recipients
    {a::check_recipients, a::check_recipients, scope::recipient, 0},           // international_address_unsupported
    {a::retry_later, a::reduce_message_size, scope::message, 30 * minutes},    // message_too_large
    {a::retry_later, a::edit_message, scope::message, 30 * minutes},           // message_content_rejected
    {a::report_problem, a::report_problem, scope::message, 0},                 // message_loop
    {a::retry_later, a::check_recipients, scope::message, 15 * minutes},       // transaction_rejected
    {a::retry_later, a::retry_later, scope::connection, 5 * minutes},          // service_unavailable
    {a::retry_later, a::report_problem, scope::connection, 10 * minutes},      // server_error
    {a::retry_later, a::contact_provider, scope::connection, 30 * minutes},    // server_storage_full
    {a::check_account_settings, a::check_account_settings, scope::connection, 0},  // no_mail_service
    {a::retry_later, a::report_problem, scope::connection, 10 * minutes},      // syntax_error
    {a::retry_later, a::report_problem, scope::connection, 10 * minutes},      // bad_sequence
    {a::report_problem, a::report_problem, scope::connection, 0},              // not_implemented
    {a::retry_later, a::check_account_settings, scope::connection, 5 * minutes},   // connection_failed
    {a::retry_later, a::retry_later, scope::connection, 2 * minutes},          // connection_lost
    {a::retry_later, a::retry_later, scope::connection, 5 * minutes},          // timed_out
    {a::retry_later, a::check_account_settings, scope::connection, 10 * minutes},  // tls_failed
    {a::review_certificate, a::review_certificate, scope::connection, 0},      // certificate_untrusted
    {a::check_account_settings, a::check_account_settings, scope::connection, 0},  // starttls_unavailable
    {a::retry_later, a::report_problem, scope::connection, 10 * minutes},      // protocol_violation
    {a::retry_later, a::retry_later, scope::message, 10 * minutes},            // transient_failure
    {a::report_problem, a::report_problem, scope::message, 0},                 // permanent_failure
};
// clang-format on
static_assert(std::size(defaults_by_condition) == static_cast<std::size_t>(condition_count));

const caller_error_rule caller_error_rules[] = {
    {errc::invalid_option, a::check_account_settings, scope::account, "invalid_settings"},
    // The sender's address or a recipient's: the message is what the user edits.
    {errc::invalid_address, a::edit_message, scope::message, "invalid_addresses"},
    {errc::no_recipients, a::edit_message, scope::message, "invalid_addresses"},
    {errc::invalid_outbox_state, a::report_problem, scope::message, "internal_error"},
    {errc::duplicate_id, a::report_problem, scope::message, "internal_error"},
    {errc::invalid_utf8, a::report_problem, scope::message, "internal_error"},
};
const std::size_t caller_error_rule_count = std::size(caller_error_rules);

}  // namespace smtperr::detail
