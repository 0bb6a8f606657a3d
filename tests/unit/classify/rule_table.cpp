// The rule table (src/classify/rules.cpp): its priority order is pinned by inputs that two
// or more rules would match, and every rule is reachable — for each rule id an input selects
// exactly that rule. The ids are read from the source file, so a rule added without an input
// here, or one shadowed by the rules before it, fails.
#include <smtperr/classify/classify.hpp>
#include <smtperr/messages/messages.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "unit/classify/classify_util.hpp"

namespace {

using namespace classify_test;
using p = smtperr::phase;

struct rule_input {
    std::string_view rule;
    std::string_view reply;
    p ph;
    std::string_view host = {};
    std::string_view mech = {};
};

constexpr std::string_view g = "smtp.gmail.com";
constexpr std::string_view ms = "smtp.office365.com";
constexpr std::string_view yh = "smtp.mail.yahoo.com";

// clang-format off
/// Inputs that several rules match: the expected id is the first in table order.
const rule_input order_cases[] = {
    {"gmail.oauth_invalid", "535 5.7.8 Username and Password not accepted. a1 - gsmtp", p::auth, g, "XOAUTH2"},
    {"gmail.bad_credentials", "535 5.7.8 Username and Password not accepted. a1 - gsmtp", p::auth, g, "PLAIN"},
    {"gmail.throttled", "421 4.7.0 Try again later, closing connection. a1 - gsmtp", p::ehlo, g},
    {"gmail.daily_limit", "550 5.4.5 Daily SMTP relay limit exceeded for user. a1 - gsmtp", p::mail, g},
    {"microsoft.smtp_auth_disabled", "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled; basic authentication is disabled", p::auth, ms},
    {"microsoft.smtp_auth_disabled", "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.", p::auth, ms, "XOAUTH2"},
    {"microsoft.sender_throttled", "550 5.2.252 Sender throttled due to continuous send as denied errors", p::mail, ms},
    {"microsoft.relay_denied", "550 5.4.1 Relay Access Denied", p::rcpt, ms},
    {"microsoft.directory_edge", "550 5.4.1 Recipient address rejected: Access denied", p::rcpt, ms},
    {"yahoo.auth", "535 5.7.0 (#AUTH005) Too many bad auth attempts.", p::auth, yh},
    {"oauth.token_rejected", "535 5.7.0 (#AUTH005) Too many bad auth attempts.", p::auth, yh, "XOAUTH2"},
    {"oauth.token_rejected", "535 5.7.8 Authentication credentials invalid", p::auth, {}, "XOAUTH2"},
    {"tls.required", "530 5.7.0 Must issue a STARTTLS command first", p::auth},
    {"auth.smtp_disabled", "535 SMTP auth is disabled, authentication required", p::auth},
    {"greylisted", "451 4.7.1 Greylisted: too many messages from new senders, try later", p::rcpt},
    {"rate.limited", "450 4.7.1 Error: too many recipients from 203.0.113.5", p::rcpt},
    {"rate.limited", "450 4.7.1 Error: too much mail from 203.0.113.5", p::mail},
    {"quota.sending", "550 5.7.1 Daily sending quota exceeded, rate limit reached", p::mail},
    {"recipient.mailbox_full", "552 5.2.2 <bob@example.org> Mailbox full, message too large", p::rcpt},
    {"message.too_large", "552 5.2.2 Mailbox full, message too large", p::mail},
    {"relay.denied", "554 5.7.1 <bob@example.org>: Relay access denied", p::rcpt},
    {"sender.not_owned", "553 5.7.1 Sender address rejected: not owned by user alice@example.org", p::mail},
    {"content.malformed", "554 5.7.1 Duplicate header 'DKIM-Signature'", p::data_end},
    {"policy.dmarc", "550 5.7.1 Rejected by DMARC policy as likely spam", p::data_end},
    {"client.helo", "504 5.5.2 <mylaptop>: Helo command rejected: need fully-qualified hostname", p::rcpt},
    {"client.helo", "450 4.7.1 <mylaptop.local>: Helo command rejected: Host not found", p::rcpt},
    {"client.no_ptr", "550 5.7.25 Client host rejected: no PTR record for 192.0.2.1", p::rcpt},
    {"client.blocked", "553 5.7.1 Sender address rejected: blocked using zen.spamhaus.org", p::mail},
    {"content.url_blocklist", "554 5.7.1 Blacklisted URL in message, see uribl.com", p::data_end},
    {"content.virus", "554 5.7.1 Virus found, message rejected as spam", p::data_end},
    {"content.spam", "554 5.7.1 Spam detected; policy violation", p::data_end},
    {"recipient.domain", "550 5.1.1 <bob@nowhere.example>: Domain not found, user unknown", p::rcpt},
    {"recipient.bad_mailbox", "550 5.1.1 <bob@example.org>: inactive email address", p::rcpt},
    {"recipient.disabled", "550 5.2.1 <bob@example.org>: account disabled, user unknown", p::rcpt},
    {"recipient.unknown", "550 5.2.1 <bob@example.org>: User unknown", p::rcpt},
    {"recipient.unknown", "450 4.1.1 <bob@x>: Recipient address rejected: unverified address: host mx.x[1.2.3.4] said: 550 5.2.1 <bob@x>: User unknown (in reply to RCPT TO command)", p::rcpt},
    {"recipient.bad_mailbox", "450 4.1.1 <bob@x>: Recipient address rejected: unverified address: host mx.x[1.2.3.4] said: 550 5.1.1 <bob@x>: User unknown (in reply to RCPT TO command)", p::rcpt},
    {"server.unavailable", "451 4.3.0 Service unavailable; internal error", p::rcpt},
    {"server.failed", "554 5.3.0 Service unavailable; internal error", p::rcpt},
    {"server.no_service", "554 mx.example.org Service unavailable", p::greeting},
    {"auth.temporary_failure", "454 4.7.0 Temporary authentication failure", p::auth},
    {"starttls.unavailable", "454 4.7.0 TLS not available due to local problem", p::starttls},
    {"mail.sender_address", "550 5.1.1 <alice@example.org>... Unknown", p::mail},
    {"mail.sender_address", "450 4.1.1 Status", p::mail},
    {"session.deferred", "450 4.0.0 Status", p::starttls},
    {"session.name_not_allowed", "553 Requested action not taken", p::rset},
    {"enhanced_status", "452 4.5.3 Status", p::rcpt},
    {"rcpt.too_many", "452 Requested action not taken", p::rcpt},
    {"hello.rejected", "550 5.7.1 Status", p::ehlo},
    {"mail.refused", "550 Requested action not taken", p::mail},
    {"rcpt.unknown", "550 Requested action not taken", p::rcpt},
    {"data_end.policy", "550 Requested action not taken", p::data_end},
    {"data.rejected", "554 5.5.1 Error: no valid recipients", p::data},
};

/// One input per rule, selecting exactly that rule.
const rule_input rule_inputs[] = {
    // Gmail
    {"gmail.oauth_invalid", "535 5.7.8 Username and Password not accepted. a1 - gsmtp", p::auth, g, "XOAUTH2"},
    {"gmail.app_password", "534 5.7.9 Application-specific password required. a1 - gsmtp", p::auth, g},
    {"gmail.web_login", "534 5.7.14 Please log in via your web browser. a1 - gsmtp", p::auth, g},
    {"gmail.bad_credentials", "535 5.7.8 Username and Password not accepted. a1 - gsmtp", p::auth, g},
    {"gmail.too_many_logins", "454 4.7.0 Too many login attempts, please try again later. a1 - gsmtp", p::auth, g},
    {"gmail.auth_required", "530 5.5.1 Authentication Required. a1 - gsmtp", p::mail, g},
    {"gmail.mechanism", "504 5.7.4 Unrecognized Authentication Type. a1 - gsmtp", p::auth, g},
    {"gmail.identity_change", "503 5.7.0 No identity changes permitted. a1 - gsmtp", p::auth, g},
    {"gmail.daily_limit", "550 5.4.5 Daily user sending limit exceeded. a1 - gsmtp", p::mail, g},
    {"gmail.relay_daily_limit", "550 5.7.1 Daily SMTP relay limit exceeded for customer. a1 - gsmtp", p::mail, g},
    {"gmail.peak_relay_limit", "450 4.2.1 Peak SMTP relay limit exceeded for customer. a1 - gsmtp", p::rcpt, g},
    {"gmail.receiving_too_quickly", "450 4.2.1 The user you are trying to contact is receiving mail too quickly. a1 - gsmtp", p::rcpt, g},
    {"gmail.too_many_recipients", "452 4.5.3 Your message has too many recipients. a1 - gsmtp", p::rcpt, g},
    {"gmail.size", "552 5.3.4 Your message exceeded Google's message size limits. a1 - gsmtp", p::data_end, g},
    {"gmail.blocked_content", "552 5.7.0 This message was blocked because its content presents a potential security issue. a1 - gsmtp", p::data_end, g},
    {"gmail.unsolicited", "550 5.7.1 This message is likely unsolicited mail. a1 - gsmtp", p::data_end, g},
    {"gmail.admin_policy", "550 5.7.1 The user or domain has a policy that prohibited the mail that you sent. a1 - gsmtp", p::data_end, g},
    {"gmail.relay_credentials", "550 5.7.1 Invalid credentials for relay [192.0.2.1]. a1 - gsmtp", p::mail, g},
    {"gmail.relay_denied", "550 5.7.0 Mail relay denied [192.0.2.1]. a1 - gsmtp", p::mail, g},
    {"gmail.sending_denied", "550 5.7.0 Mail Sending denied. a1 - gsmtp", p::mail, g},
    {"gmail.dmarc", "550 5.7.26 Unauthenticated email from example.org is not accepted due to domain's DMARC policy. a1 - gsmtp", p::data_end, g},
    {"gmail.throttled", "421 4.7.0 Try again later, closing connection. a1 - gsmtp", p::ehlo, g},
    {"gmail.multiple_domains", "451 4.3.0 Multiple destination domains per transaction is unsupported. a1 - gsmtp", p::rcpt, g},
    {"gmail.no_such_user", "550 5.1.1 The email account that you tried to reach does not exist. a1 - gsmtp", p::rcpt, g},
    {"gmail.bad_domain", "553 5.1.2 We weren't able to find the recipient domain. a1 - gsmtp", p::rcpt, g},
    {"gmail.disabled_user", "550 5.2.1 The email account that you tried to reach is disabled. a1 - gsmtp", p::rcpt, g},
    // Microsoft
    {"microsoft.smtp_auth_disabled", "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.", p::auth, ms},
    {"microsoft.oauth_invalid", "535 5.7.3 Authentication unsuccessful", p::auth, ms, "XOAUTH2"},
    {"microsoft.basic_auth_disabled", "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.", p::auth, ms},
    {"microsoft.security_defaults", "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy.", p::auth, ms},
    {"microsoft.conditional_access", "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully.", p::auth, ms},
    {"microsoft.federation", "535 5.7.139 Authentication unsuccessful, the federated STS service was unreachable.", p::auth, ms},
    {"microsoft.bad_credentials", "535 5.7.3 Authentication unsuccessful", p::auth, ms},
    {"microsoft.basic_auth_retired", "550 5.7.30 Basic authentication is not supported for Client Submission.", p::mail},
    {"microsoft.not_authenticated_disabled", "530 5.7.57 Client not authenticated to send mail. Error: 535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.", p::mail, ms},
    {"microsoft.not_authenticated", "530 5.7.57 Client not authenticated to send mail.", p::mail, ms},
    {"microsoft.tls_version", "421 4.7.66 TLS 1.0 and 1.1 are not supported.", p::ehlo, ms},
    {"microsoft.send_as", "550 5.7.60 SMTP; Client does not have permissions to send as this sender", p::data_end, ms},
    {"microsoft.sender_throttled", "550 5.2.251 Sender throttled due to continuous mailbox full errors", p::mail, ms},
    {"microsoft.bad_outbound_sender", "550 5.1.8 Access denied, bad outbound sender.", p::mail, ms},
    {"microsoft.submission_quota", "550 5.2.2 Submission quota exceeded", p::data_end, ms},
    {"microsoft.daily_recipients", "550 5.1.90 You've reached your daily limit for message recipients.", p::rcpt, ms},
    {"microsoft.thread_limit", "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded", p::data_end, ms},
    {"microsoft.rate_limit", "421 4.4.2 Message submission rate for this client has exceeded the configured limit", p::data_end, ms},
    {"microsoft.hip_send", "554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; Actual verdict is HipSend", p::data_end, ms},
    {"microsoft.refuse_quota", "554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; Actual verdict is RefuseQuota", p::data_end, ms},
    {"microsoft.outbound_spam", "554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; Actual verdict is Suspend", p::data_end, ms},
    {"microsoft.ip_pool", "550 5.7.708 Access denied, traffic not accepted from this IP.", p::mail, ms},
    {"microsoft.tenant_threshold", "550 5.7.705 Access denied, tenant has exceeded threshold.", p::mail, ms},
    {"microsoft.unregistered_domain", "550 5.7.750 Client blocked from sending from unregistered domains.", p::mail, ms},
    {"microsoft.tenant_block_list", "550 5.7.703 Messages to bob@example.org are blocked by your organization using Tenant Allow Block List.", p::rcpt, ms},
    {"microsoft.spam_abuse", "550 5.7.501 Spam abuse detected from IP range.", p::mail, ms},
    {"microsoft.ip_throttling", "451 4.7.500 Server busy. Please try again later from [192.0.2.1]. (AS843)", p::rcpt, ms},
    {"microsoft.rfc5322", "550 5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant.", p::data_end, ms},
    {"microsoft.relay_denied", "550 5.4.1 Relay Access Denied", p::rcpt, ms},
    {"microsoft.directory_edge", "550 5.4.1 Recipient address rejected: Access denied. AS(201806281)", p::rcpt, ms},
    {"microsoft.recipient_not_found", "550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found by SMTP address lookup", p::rcpt, ms},
    {"microsoft.group_restriction", "550 5.7.124 Sender not in allowed-senders list", p::data_end, ms},
    // Yahoo / AOL
    {"yahoo.auth", "535 5.7.0 (#AUTH005) Bad credentials", p::auth, yh},
    {"yahoo.policy", "554 5.7.9 Message not accepted for policy reasons.", p::data_end, yh},
    {"yahoo.deferred", "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred", p::mail, yh},
    {"yahoo.ip_blocked", "553 5.7.2 [TSS09] All messages from 192.0.2.1 will be permanently deferred", p::mail, yh},
    {"yahoo.no_account", "554 delivery error: dd This user doesn't have a yahoo.com account", p::rcpt, yh},
    {"yahoo.disabled", "554 30 Sorry, your message cannot be delivered. This mailbox is disabled (554.30).", p::rcpt, yh},
    {"yahoo.max_per_connection", "421 Max message per connection reached, closing transmission channel", p::data_end, yh},
    // iCloud
    {"icloud.auth", "535 5.7.8 Error: authentication failed", p::auth, "smtp.mail.me.com"},
    {"icloud.from_address", "550 5.7.0 From address is not one of your addresses", p::mail, "smtp.mail.me.com"},
    {"icloud.policy", "554 5.7.1 [CS01] Message rejected due to local policy.", p::data_end, "smtp.mail.me.com"},
    {"icloud.volume", "421 4.7.1 <bob@icloud.com>: deferred due to excessive volume", p::rcpt, "smtp.mail.me.com"},
    // GMX / WEB.DE
    {"gmx.auth", "535 Authentication credentials invalid", p::auth, "mail.gmx.net"},
    {"gmx.sender", "550 Sender address is not allowed.", p::mail, "mail.gmx.net"},
    {"gmx.policy", "554 Transaction failed Reject due to policy restrictions.", p::data_end, "mail.gmx.net"},
    {"gmx.ip_blocked", "554 Nemesis ESMTP Service not available IP address is block listed.", p::greeting, "mail.gmx.net"},
    // T-Online
    {"t-online.auth", "535 authentication failed", p::auth, "securesmtp.t-online.de"},
    {"t-online.reputation", "554 IP=192.0.2.1 - None/bad reputation. (NOWL)", p::greeting, "securesmtp.t-online.de"},
    // Zoho
    {"zoho.relaying", "553 Relaying disallowed as alice@example.org", p::mail, "smtp.zoho.com"},
    {"zoho.unusual_activity", "550 5.4.6 Unusual sending activity detected.", p::mail, "smtp.zoho.com"},
    {"zoho.outgoing_blocked", "554 5.1.8 Email Outgoing Blocked.", p::mail, "smtp.zoho.com"},
    {"zoho.virus", "552 5.7.1 Virus detected by Zoho Mail", p::data_end, "smtp.zoho.com"},
    // Yandex
    {"yandex.access_rights", "535 5.7.8 Error: authentication failed: This user does not have access rights to this service", p::auth, "smtp.yandex.ru"},
    {"yandex.bad_credentials", "535 5.7.8 Error: authentication failed: Invalid user or password!", p::auth, "smtp.yandex.ru"},
    // Mail.ru
    {"mailru.app_password", "535 5.7.0 Application password is REQUIRED", p::auth, "smtp.mail.ru"},
    {"mailru.not_local_sender", "550 not local sender over smtp", p::mail, "smtp.mail.ru"},
    // QQ
    {"qq.authorization_code", "535 Login Fail. Please enter your authorization code to login.", p::auth, "smtp.qq.com"},
    {"qq.smtp_disabled", "454 Authentication failed, please open smtp flag first!", p::auth, "smtp.qq.com"},
    {"qq.frequency", "550 Ip frequency limited", p::mail, "smtp.qq.com"},
    {"qq.content", "550 Mail content denied", p::data_end, "smtp.qq.com"},
    // NetEase
    {"netease.no_permission", "550 User has no permission", p::mail, "smtp.163.com"},
    {"netease.spam", "554 DT:SPM 163 smtp7", p::data_end, "smtp.163.com"},
    {"netease.envelope_mismatch", "554 DT:SUM 163 smtp7", p::data_end, "smtp.163.com"},
    {"netease.daily_quota", "554 MI:STC 163 smtp7", p::mail, "smtp.163.com"},
    {"netease.quarter_hour_quota", "451 MI:SFQ 163 smtp7", p::mail, "smtp.163.com"},
    {"netease.auth_failures", "451 Requested mail action not taken: too much fail authentication", p::auth, "smtp.163.com"},
    // Fastmail
    {"fastmail.auth", "535 5.7.0 authentication failed", p::auth, "smtp.fastmail.com"},
    // Generic, by text
    {"oauth.token_rejected", "535 5.7.8 Authentication credentials invalid", p::auth, {}, "XOAUTH2"},
    {"oauth.token_rejected_534", "534 5.7.9 Authentication mechanism is too weak", p::auth, {}, "OAUTHBEARER"},
    {"auth.app_password", "535 5.7.8 An app password is required", p::auth},
    {"auth.web_login", "534 5.7.14 Please log in via your web browser", p::auth},
    {"auth.basic_disabled", "535 5.7.139 Basic authentication is disabled", p::auth},
    {"auth.smtp_disabled", "535 SMTP auth is disabled for this account", p::auth},
    {"auth.password_expired", "535 5.7.8 Your password has expired", p::auth},
    {"tls.unsupported", "500 Remote server does not support TLS", p::mail},
    {"tls.required", "530 5.7.0 Must issue a STARTTLS command first", p::mail},
    {"auth.required", "530 5.7.0 Authentication required", p::mail},
    {"auth.account_disabled", "535 5.7.8 Account disabled", p::auth},
    {"account.disabled_late", "550 5.7.1 Your account has been suspended", p::data_end},
    {"auth.failure_limit", "554 IP is rejected, smtp auth error limit exceed", p::auth},
    {"auth.failed_text", "526 Authentication failure[0]", p::auth},
    {"auth.temporary", "454 4.7.0 Too many failed attempts, try later", p::auth},
    {"account.sending_blocked", "550 5.7.1 Unusual sending activity detected", p::mail},
    {"greylisted", "450 4.2.0 Greylisted, see http://postgrey.schweikert.ch/help/example.org.html", p::rcpt},
    {"quota.sending", "550 5.7.1 Daily sending limit reached", p::mail},
    {"rate.limited", "451 4.7.0 rate limit exceeded", p::rcpt},
    {"recipient.mailbox_full", "552 5.2.2 Mailbox full", p::rcpt},
    {"recipient.too_many", "452 4.5.3 Too many recipients", p::rcpt},
    {"relay.denied", "554 5.7.1 <bob@example.org>: Relay access denied", p::rcpt},
    {"sender.not_owned", "553 5.7.1 Sender address rejected: not owned by user alice@example.org", p::mail},
    {"content.malformed", "554 5.6.0 Headers too large", p::data_end},
    {"policy.dmarc", "550 5.7.1 Rejected due to DMARC policy", p::data_end},
    {"client.helo", "504 5.5.2 <laptop>: Helo command rejected: need fully-qualified hostname", p::rcpt},
    {"client.no_ptr", "550 5.7.1 Client has no PTR record", p::rcpt},
    {"content.url_blocklist", "554 5.7.1 Blacklisted URL in message", p::data_end},
    {"client.blocked", "554 5.7.1 Client host rejected: blocked using zen.spamhaus.org", p::rcpt},
    {"sender.rejected", "450 4.1.8 <alice@example.net>: Sender address rejected: Domain not found", p::rcpt},
    {"content.virus", "554 5.7.1 Virus found in attachment", p::data_end},
    {"content.spam", "554 5.7.1 Message rejected as spam", p::data_end},
    {"policy.envelope", "550 Denied by policy", p::rcpt},
    {"policy.content", "550 Local policy violation", p::data_end},
    {"message.too_large", "552 Message size exceeds fixed maximum message size", p::mail},
    {"message.loop", "554 5.4.6 Too many hops", p::data_end},
    {"recipient.forward", "551 5.1.6 User not local; please try <bob@other.example>", p::rcpt},
    {"recipient.international", "553 5.6.7 SMTPUTF8 is required for this address", p::rcpt},
    {"recipient.domain", "550 Host unknown", p::rcpt},
    {"recipient.bad_mailbox", "550 5.1.1 <bob@example.org>: inactive email address", p::rcpt},
    {"recipient.disabled", "550 <bob@example.org>: mailbox is disabled", p::rcpt},
    {"recipient.unknown", "550 <bob@example.org>: User unknown", p::rcpt},
    {"recipient.access_denied", "550 5.7.1 <bob@example.org>: Recipient address rejected: Access denied", p::rcpt},
    {"recipient.address_syntax", "553 Invalid address format", p::rcpt},
    {"sender.address_syntax", "553 5.1.7 Bad sender address syntax", p::mail},
    {"server.unavailable", "450 4.3.2 Service currently unavailable", p::rcpt},
    {"server.no_service", "554 Service currently unavailable", p::greeting},
    {"server.failed", "554 Service currently unavailable", p::rcpt},
    {"server.storage", "452 4.3.1 Insufficient system storage", p::mail},
    {"server.local_error", "451 4.3.0 Temporary failure", p::rcpt},
    {"server.internal_error", "451 Requested action aborted: local error in processing", p::mail},
    {"server.network", "451 4.4.0 Network error, no route to host", p::rcpt},
    // Generic, by phase and code
    {"starttls.unavailable", "454 4.7.0 TLS not available due to local problem", p::starttls},
    {"starttls.refused", "502 5.5.1 Command not implemented", p::starttls},
    {"sender.mailbox_busy", "450 4.2.1 Mailbox temporarily locked, try again later", p::mail},
    {"mail.message_size", "552 5.2.3 Status", p::mail},
    {"mail.sender_mailbox", "550 5.2.1 Status", p::mail},
    {"auth.temporary_failure", "454 4.7.0 Temporary authentication failure", p::auth},
    {"auth.mechanism", "504 5.5.4 Unrecognized authentication type", p::auth},
    {"auth.sequence", "503 5.5.1 Error: already authenticated", p::auth},
    {"auth.cancelled", "501 Authentication cancelled", p::auth},
    {"auth.line_too_long", "500 5.5.6 Authentication Exchange line is too long", p::auth},
    {"auth.required_530", "530 Access denied", p::auth},
    {"auth.refused_550", "550 User has no permission", p::auth},
    {"auth.refused_554", "554 5.7.1 Transaction failed", p::auth},
    {"mail.tls_530", "530 5.7.0 Please use TLS", p::mail},
    {"session.auth_required_530", "530 5.7.1 Authentifizierung erforderlich", p::mail},
    {"mail.size_transient", "452 Requested action not taken", p::mail},
    {"mail.sender_address", "553 5.1.7 <alice@example.org>... Rejected", p::mail},
    {"mail.sender_refused_5_7_1", "550 5.7.1 <alice@example.org>... Access denied", p::mail},
    {"rcpt.account_disabled", "525 5.7.13 Status", p::rcpt},
    {"status.no_ptr", "550 5.7.25 Status", p::rcpt},
    {"status.envelope_5_7_9", "550 5.7.9 Status", p::rcpt},
    {"status.message_5_7_9", "554 5.7.9 Status", p::data_end},
    {"hello.rejected", "550 Access denied", p::ehlo},
    {"hello.refused", "554 5.7.1 Access denied", p::helo},
    {"greeting.policy", "554 5.7.1 no service for you", p::greeting},
    {"data.rejected", "554 5.5.1 Error: no valid recipients", p::data},
    {"service.closing", "421 4.3.2 Service shutting down", p::rcpt},
    {"protocol.bad_sequence", "503 5.5.1 Error: need MAIL command", p::rcpt},
    {"protocol.not_implemented", "502 5.5.1 Command not implemented", p::ehlo},
    {"protocol.parameter_not_implemented", "504 5.5.4 Command parameter not implemented", p::mail},
    {"status.shutdown_4_3_2", "451 4.3.2 Please try again later", p::data_end},
    {"enhanced_status", "550 5.1.2 Status", p::rcpt},
    {"recipient.not_local", "551 User not local", p::rcpt},
    {"greeting.refused", "554 mx.example.org ESMTP not accepting mail", p::greeting},
    {"mail.deferred", "450 Requested mail action not taken", p::mail},
    {"mail.refused", "550 Requested action not taken", p::mail},
    {"mail.name_not_allowed", "553 Requested action not taken", p::mail},
    {"mail.syntax", "501 Syntax error in parameters", p::mail},
    {"mail.submission_rejected", "554 Transaction failed", p::mail},
    {"rcpt.policy", "550 5.7.0 Status", p::rcpt},
    {"rcpt.unknown", "550 Requested action not taken", p::rcpt},
    {"rcpt.unavailable", "450 Requested mail action not taken", p::rcpt},
    {"rcpt.too_many", "452 Requested action not taken", p::rcpt},
    {"rcpt.over_storage", "552 Requested mail action aborted", p::rcpt},
    {"rcpt.syntax", "501 Invalid arguments", p::rcpt},
    {"rcpt.rejected", "554 Transaction failed", p::rcpt},
    {"data.unavailable", "550 Requested action not taken", p::data},
    {"data_end.rejected", "554 Transaction failed", p::data_end},
    {"data_end.policy", "550 Requested action not taken", p::data_end},
    {"data_end.policy_transient", "450 Requested mail action not taken", p::data_end},
    {"auth.deferred", "450 Requested mail action not taken", p::auth},
    {"session.deferred", "450 Requested mail action not taken", p::greeting},
    {"session.454", "454 4.7.0 Message deferred", p::data_end},
    {"session.refused_550", "550 Requested action not taken", p::quit},
    {"session.not_local", "551 User not local", p::mail},
    {"session.name_not_allowed", "553 Requested action not taken", p::ehlo},
    {"mail.domain_refused", "556 Domain does not accept mail", p::mail},
    {"session.domain_refused", "556 Domain does not accept mail", p::ehlo},
};
// clang-format on

/// The rule ids of src/classify/rules.cpp, in table order.
std::vector<std::string> table_ids() {
    const auto src = read_file(source_path("src/classify/rules.cpp"));
    std::vector<std::string> ids;
    const auto begin = src.find("const rule rules[] = {");
    const auto end = src.find("\n};", begin);
    REQUIRE(begin != std::string::npos);
    REQUIRE(end != std::string::npos);
    std::size_t pos = begin;
    while ((pos = src.find("\n    {\"", pos)) != std::string::npos && pos < end) {
        pos += 7;
        const auto close = src.find('"', pos);
        ids.push_back(src.substr(pos, close - pos));
    }
    return ids;
}

}  // namespace

TEST_SUITE("classify.rule_table") {
    TEST_CASE("priority order") {
        for (const auto& t : order_cases) {
            CAPTURE(t.reply);
            CAPTURE(t.ph);
            CHECK(classify_reply(t.reply, t.ph, t.host, t.mech).rule == t.rule);
        }
    }

    TEST_CASE("every rule is reachable") {
        const auto ids = table_ids();
        CHECK(ids.size() > 100);
        std::set<std::string> seen;
        for (const auto& id : ids) {
            CAPTURE(id);
            CHECK(seen.insert(id).second);  // ids are unique
        }
        std::set<std::string> covered;
        for (const auto& t : rule_inputs) {
            CAPTURE(t.reply);
            CAPTURE(t.ph);
            CHECK(seen.count(std::string(t.rule)) == 1);
            const auto v = classify_reply(t.reply, t.ph, t.host, t.mech);
            CHECK(v.rule == t.rule);
            covered.insert(std::string(t.rule));
            // The rule's message has its own catalog entry in both languages: found by its
            // id alone, not by falling back to the condition's text.
            smtperr::diagnosis by_id;
            by_id.condition = static_cast<smtperr::condition>(smtperr::condition_count + 1);
            by_id.message_id = v.message_id;
            for (const auto lang : {smtperr::language::en, smtperr::language::de}) {
                const auto own = smtperr::render_message(by_id, lang);
                by_id.condition = v.cond;
                CHECK(smtperr::render_message(by_id, lang).list_line == own.list_line);
                by_id.condition = static_cast<smtperr::condition>(smtperr::condition_count + 1);
                CHECK_FALSE(own.list_line.empty());
            }
        }
        for (const auto& id : ids) {
            CAPTURE(id);
            CHECK(covered.count(id) == 1);
        }
        // And the inputs follow the table order, so a moved rule shows up here as well.
        std::vector<std::string> listed;
        for (const auto& t : rule_inputs) {
            listed.emplace_back(t.rule);
        }
        CHECK(listed == ids);
    }
}
