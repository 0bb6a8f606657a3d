// Greylisting told apart from rate limiting, quoted remote replies, help links from the
// provider's own domains only, and transport failures.
#include <smtperr/classify/classify.hpp>
#include <smtperr/error/errc.hpp>
#include <smtperr/error/reply_code.hpp>
#include <smtperr/error/status_code.hpp>
#include <smtperr/messages/messages.hpp>

#include <doctest/doctest.h>

#include <cerrno>
#include <string>
#include <string_view>
#include <system_error>

#include "unit/classify/classify_util.hpp"

namespace {

using namespace classify_test;
using a = smtperr::action;
using c = smtperr::condition;
using s = smtperr::scope;
using p = smtperr::phase;
using smtperr::errc;

}  // namespace

TEST_SUITE("classify.greylisting") {
    TEST_CASE("greylisting says how to retry") {
        const std::string_view greylisted[] = {
            "450 4.2.0 <bob@example.org>: Recipient address rejected: Greylisted, see "
            "http://postgrey.schweikert.ch/help/example.org.html",
            "451 4.7.1 Please try again later, you are greylisted for 5 minutes",
            "451-4.7.1 Greylisting in action, please come back later\n451 4.7.1 mx.example.org",
            "450 4.7.1 <bob@example.org>: Recipient address rejected: Greylisted for 300 seconds",
            "451 4.7.1 Service unavailable - try again later (graylisted)",
        };
        for (const auto r : greylisted) {
            CAPTURE(r);
            const auto v = classify_reply(r, p::rcpt);
            check4(v, {c::greylisted, a::retry_later, s::message, true});
            CHECK(v.retry == 300u);
            CHECK(v.rule == "greylisted");
        }
    }

    TEST_CASE("rate limits are not greylisting") {
        struct row {
            std::string_view reply;
            p ph;
            std::string_view host;
            s sc;
        };
        const row rows[] = {
            {"451 4.7.0 rate limit exceeded", p::rcpt, {}, s::account},
            {"421 4.7.0 too many connections from 203.0.113.5", p::greeting, {}, s::account},
            {"421 Too many connections", p::ehlo, {}, s::account},
            {"452 4.3.2 Connection rate limit exceeded.", p::mail, {}, s::account},
            {"450 4.7.1 Error: too many messages, slow down", p::rcpt, {}, s::account},
            {"421-4.7.0 Try again later, closing connection. (EHLO)\n421-4.7.0 For more "
             "information, go to\n421 4.7.0  https://support.google.com/a/answer/3221692 "
             "a1sm1 - gsmtp",
             p::ehlo, "smtp.gmail.com", s::connection},
            // Postfix's per-client limits (smtpd_client_*_rate_limit), whatever they count:
            // resending the rest at once would hit the same limit (found in review).
            {"450 4.7.1 Error: too many recipients from 203.0.113.5", p::rcpt, {}, s::account},
            {"450 4.7.1 Error: too much mail from 203.0.113.5", p::mail, {}, s::account},
            {"450 4.7.1 Error: too many AUTH commands from 203.0.113.5", p::auth, {}, s::account},
            {"421 4.7.0 Error: too many new TLS sessions from 203.0.113.5",
             p::starttls,
             {},
             s::account},
        };
        for (const auto& t : rows) {
            CAPTURE(t.reply);
            const auto v = classify_reply(t.reply, t.ph, t.host);
            check4(v, {c::rate_limited, a::retry_later, t.sc, true});
            CHECK(v.retry.has_value());
        }
        // Too many for one message is another thing.
        CHECK(classify_reply("452 4.5.3 Error: too many recipients", p::rcpt).cond ==
              c::too_many_recipients);
        // Gmail's throttling is recognized by its signature without the host, too.
        CHECK(classify_reply(rows[5].reply, p::ehlo).cond == c::rate_limited);
        // A permanent "greylisted" is no greylisting.
        CHECK(classify_reply("550 5.7.1 greylisted forever", p::rcpt).cond != c::greylisted);
    }
}

TEST_SUITE("classify.quoted") {
    TEST_CASE("Postfix quotes a remote permanent failure in a temporary reply") {
        const auto v = classify_reply(
            "450 4.1.1 <bob@x>: Recipient address rejected: unverified address: host "
            "mx.x[1.2.3.4] said: 550 5.1.1 <bob@x>: Recipient address rejected: User unknown in "
            "virtual mailbox table (in reply to RCPT TO command)",
            p::rcpt);
        // The outer 4xx decides the class: Postfix will verify again.
        check4(v, {c::recipient_unknown, a::retry_later, s::recipient, true});
        CHECK(v.retry.has_value());
        CHECK(v.status.value() == 4001001);  // the reply's own enhanced code, outer class
    }

    TEST_CASE("the quoted reply decides the condition") {
        struct row {
            std::string_view reply;
            p ph;
            c cond;
            bool transient;
        };
        const row rows[] = {
            {"450 4.1.1 <bob@x>: Recipient address rejected: unverified address: host "
             "mx.x[1.2.3.4] said: 552 5.2.2 <bob@x>: Mailbox full (in reply to RCPT TO command)",
             p::rcpt, c::recipient_mailbox_full, true},
            {"450 4.1.1 <bob@x>: Recipient address rejected: unverified address: host "
             "mx.x[1.2.3.4] said: 451 4.3.0 Temporary lookup failure (in reply to RCPT TO "
             "command)",
             p::rcpt, c::server_error, true},
            {"550 5.1.1 <bob@x>: Recipient address rejected: undeliverable address: host "
             "mx.x[1.2.3.4] said: 550 5.2.1 <bob@x>: Mailbox disabled (in reply to RCPT TO "
             "command)",
             p::rcpt, c::recipient_mailbox_unavailable, false},
            // Exim and gateways quote without "said:"; only used when the reply has no
            // enhanced code of its own.
            {"550 host mx.example.org [192.0.2.1]: 550 5.1.2 <bob@example.org>: Bad destination "
             "system address",
             p::rcpt, c::recipient_domain_invalid, false},
            {"550 Remote Server returned '550 5.2.2 Mailbox quota reached'", p::rcpt,
             c::recipient_mailbox_full, false},
            // qmail's "(#X.Y.Z)".
            {"550 Sorry, I couldn't find any host by that name. (#5.1.2)", p::rcpt,
             c::recipient_domain_invalid, false},
            // A reply with its own enhanced code is read by it, not by what follows.
            {"550 5.1.1 <bob@x>... User unknown 503 5.0.0 Need RCPT (recipient)", p::data_end,
             c::recipient_unknown, false},
        };
        for (const auto& t : rows) {
            CAPTURE(t.reply);
            const auto v = classify_reply(t.reply, t.ph);
            CHECK(v.cond == t.cond);
            CHECK(v.transient == t.transient);
        }
    }

    TEST_CASE("a permanent reply quoting a temporary one stays permanent in every way") {
        // The quote must not bring in a temporary state's rules: no greylisting, no retry
        // hint on a permanent failure (found in review).
        const auto v = classify_reply(
            "550 5.7.1 <bob@x>: Recipient address rejected: undeliverable address: host "
            "mx.x[1.2.3.4] said: 450 4.2.0 <bob@x>: Recipient address rejected: Greylisted (in "
            "reply to RCPT TO command)",
            p::rcpt);
        CHECK(v.cond != c::greylisted);
        CHECK(!v.transient);
        CHECK(!v.retry.has_value());
        CHECK(classify_reply("550 Sorry, greylisted upstream (#4.7.1)", p::rcpt).cond !=
              c::greylisted);
    }

    TEST_CASE("numbers that are no quoted reply") {
        // An IP address, a size or a port are not reply codes. The reply has no enhanced
        // code of its own, so the text is searched for a quoted one: "451 4.4.1" inside the
        // address is none (it would make this a server_error).
        CHECK(classify_reply("450 Mailbox busy, relay 10.0.0.451 4.4.1 is slow", p::rcpt).cond ==
              c::recipient_mailbox_unavailable);
        CHECK(
            classify_reply("552 Message size 5500000 exceeds limit 5.000.000", p::data_end).cond ==
            c::message_too_large);
        CHECK(classify_reply("550 x.550 5.7.1 y", p::rcpt).cond == c::recipient_unknown);
    }
}

TEST_SUITE("classify.help_url") {
    TEST_CASE("only links from the provider's own domains") {
        // hostile-servers L-07: a look-alike host is never the help link.
        const std::string fallback = "https://support.google.com/mail/?p=BadCredentials";
        const std::string_view evil[] = {
            "https://evil.example/phish",
            "https://support.google.com.evil.example/mail",
            "https://evil.example/support.google.com",
            "https://evil.example?x=support.google.com",
            "https://support.google.com@evil.example/",
            "https://evil.example@support.google.com/",
            // What stands before the '@' is user info, even after a colon: the browser goes
            // to evil.example (found in review).
            "https://support.google.com:x@evil.example/verify",
            "https://support.google.com:443@evil.example/",
            "https://support.google.com:@evil.example/",
            "https://support.google.com:443:80/mail",
            "https://support.google.com\\@evil.example/",
            "http://support-google.com/mail",
            "javascript:alert(1)//support.google.com",
            "https://xn--ggle-0nda.com/mail",
            "https://support.google.com../mail",  // empty labels: not a host name
            "https://.support.google.com/mail",
            "https://support..google.com/mail",
            // The provider's domain, but its users' pages, or a redirect anywhere: only its
            // help hosts count (found in review).
            "https://sites.google.com/view/gmail-verify",
            "https://docs.google.com/forms/d/e/XYZ/viewform",
            "https://www.google.com/url?q=https://evil.example/login",
            "https://google.com/mail",
            "https://groups.google.com/g/evil",
        };
        for (const auto link : evil) {
            CAPTURE(link);
            const std::string reply =
                "535-5.7.8 Username and Password not accepted. Learn more at\n"
                "535 5.7.8 " +
                std::string(link) + " a1sm1 - gsmtp";
            const auto v = classify_reply(reply, p::auth, "smtp.gmail.com");
            CHECK(v.cond == c::authentication_failed);
            CHECK(v.help_url == fallback);
            CHECK(classify_reply(reply, p::auth).help_url == fallback);
        }
    }

    TEST_CASE("help pages by host, or by host and the start of a path") {
        struct row {
            std::string_view reply;
            p ph;
            std::string_view host;
            std::string_view link;  // "" for none
        };
        const row rows[] = {
            {"550 5.7.1 Rejected. See https://forms.office.com/r/AbCdEf123", p::data_end,
             "smtp.office365.com", ""},
            {"535 5.7.139 Authentication unsuccessful. https://aka.ms/smtp_auth_disabled", p::auth,
             "smtp.office365.com", "https://aka.ms/smtp_auth_disabled"},
            {"554 5.7.1 Spam. https://yandex.ru/support/mail/web/spam/honest-mailers.html",
             p::data_end, "smtp.yandex.ru",
             "https://yandex.ru/support/mail/web/spam/honest-mailers.html"},
            {"554 5.7.1 Spam. https://yandex.ru/q/question/evil", p::data_end, "smtp.yandex.ru",
             ""},
            {"554 Reject. https://web.de/email/senderguidelines?ip=203.0.113.5", p::data_end,
             "smtp.web.de", "https://web.de/email/senderguidelines?ip=203.0.113.5"},
            {"554 Reject. https://web.de/email/senderguidelines-evil", p::data_end, "smtp.web.de",
             ""},
            {"554 Reject. https://web.de/magazine/evil", p::data_end, "smtp.web.de", ""},
            // A path that a browser resolves out of the listed one: dot segments, encoded dots,
            // backslashes (found in review). A dot inside a segment is no such thing.
            {"553 5.7.1 Rejected. https://yandex.ru/support/../../redirect?url=evil", p::mail,
             "smtp.yandex.ru", ""},
            {"553 5.7.1 Rejected. https://yandex.ru/support/%2e%2e/redirect", p::mail,
             "smtp.yandex.ru", ""},
            {"553 5.7.1 Rejected. https://yandex.ru/support/%2E./x", p::mail, "smtp.yandex.ru", ""},
            {"553 5.7.1 Rejected. https://yandex.ru/support/..\\..\\x", p::mail, "smtp.yandex.ru",
             ""},
            {"553 5.7.1 Rejected. https://yandex.ru/support/./x", p::mail, "smtp.yandex.ru", ""},
            {"554 Reject. https://web.de/email/senderguidelines/..", p::data_end, "smtp.web.de",
             ""},
            {"554 5.7.1 Spam. https://yandex.ru/support/mail/web/spam/honest-mailers.html?a=../x",
             p::data_end, "smtp.yandex.ru",
             "https://yandex.ru/support/mail/web/spam/honest-mailers.html?a=../x"},
            {"554 5.7.1 Spam. https://yandex.ru/support/mail/..hidden/x.html", p::data_end,
             "smtp.yandex.ru", "https://yandex.ru/support/mail/..hidden/x.html"},
        };
        for (const auto& t : rows) {
            CAPTURE(t.reply);
            CHECK(classify_reply(t.reply, t.ph, t.host).help_url == t.link);
        }
    }

    TEST_CASE("a link with a port of digits is the provider's") {
        for (const char* link :
             {"https://support.google.com:443/mail/?p=X", "https://support.google.com:/mail",
              "http://support.google.com:80", "https://support.google.com:8443?p=X"}) {
            CAPTURE(link);
            const auto v = classify_reply(
                std::string("535 5.7.8 Not accepted. See ") + link + " a1sm1 - gsmtp", p::auth,
                "smtp.gmail.com");
            CHECK(v.help_url == link);
        }
    }

    TEST_CASE("a link is taken only with its scheme in lower case") {
        // The link goes to the UI as written: "HTTPS://" would not match an intent filter
        // for "https", and a saved outbox would refuse it when read back.
        const std::string fallback = "https://support.google.com/mail/?p=BadCredentials";
        for (const char* scheme : {"HTTPS", "Https", "httpS", "HTTP", "hTTp"}) {
            CAPTURE(scheme);
            const auto v = classify_reply(std::string("535 5.7.8 Not accepted. ") + scheme +
                                              "://support.google.com/mail/?p=X a1sm1 - gsmtp",
                                          p::auth, "smtp.gmail.com");
            CHECK(v.cond == c::authentication_failed);
            CHECK(v.help_url == fallback);
        }
        CHECK(classify_reply("535 5.7.8 Not accepted. http://support.google.com/mail/?p=X - gsmtp",
                             p::auth, "smtp.gmail.com")
                  .help_url == "http://support.google.com/mail/?p=X");
    }

    TEST_CASE("the provider's link, after a foreign one and without trailing punctuation") {
        const auto v = classify_reply(
            "550-5.7.1 See https://evil.example/x first, then\n"
            "550 5.7.1 https://support.google.com/mail/?p=UnsolicitedMessageError. likely "
            "unsolicited mail a1sm1 - gsmtp",
            p::data_end, "smtp.gmail.com");
        CHECK(v.help_url == "https://support.google.com/mail/?p=UnsolicitedMessageError");
    }

    TEST_CASE("an absolute host name (one trailing dot) is the same host") {
        const auto v = classify_reply(
            "550 5.7.1 https://support.google.com./mail/?p=UnsolicitedMessageError a1sm1 - gsmtp",
            p::data_end, "smtp.gmail.com");
        CHECK(v.help_url == "https://support.google.com./mail/?p=UnsolicitedMessageError");
    }

    TEST_CASE("a rule's own link when the reply has none") {
        CHECK(classify_reply("550 5.4.6 Unusual sending activity detected. Please try after "
                             "sometime.",
                             p::mail, "smtp.zoho.com")
                  .help_url == "https://mail.zoho.com/UnblockMe");
        CHECK(classify_reply("535 5.7.8 Error: authentication failed", p::auth, "smtp.mail.me.com")
                  .help_url == "https://support.apple.com/en-us/102654");
    }

    TEST_CASE("no link from an unknown server") {
        CHECK(classify_reply("550 5.7.1 see https://support.google.com/mail/?p=X", p::rcpt)
                  .help_url.empty());
        CHECK(classify_reply("550 5.1.1 see https://mx.example.org/help", p::rcpt, "mx.example.org")
                  .help_url.empty());
    }
}

TEST_SUITE("classify.bad_context") {
    TEST_CASE("review findings: phase and provider decide over a look-alike text") {
        // Microsoft's tenant switch turns off OAuth too: refreshing a token cannot help.
        const auto ms = classify_reply(
            "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for "
            "the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. "
            "[AM0PR01MB1234.eurprd01.prod.outlook.com]",
            p::auth, "smtp.office365.com", "XOAUTH2");
        CHECK(ms.cond == c::authentication_unavailable);
        CHECK(ms.act == a::contact_provider);
        // Postfix reports a refused HELO name at RCPT: the client is meant, not the recipient.
        for (const auto r : {"504 5.5.2 <mylaptop>: Helo command rejected: need fully-qualified "
                             "hostname",
                             "450 4.7.1 <mylaptop.local>: Helo command rejected: Host not found"}) {
            CAPTURE(r);
            const auto v = classify_reply(r, p::rcpt);
            CHECK(v.cond == c::client_blocked);
            CHECK(v.sc == s::connection);
            // Not the blocklist text of client_blocked: the device's name is meant.
            CHECK(v.message_id == "helo_rejected");
        }
        // "Service unavailable" in a 5yz is no "try again later": no service at the greeting,
        // the server's failure later.
        struct row {
            p ph;
            std::string_view reply;
            c cond;
            a act;
        };
        const row unavailable[] = {
            {p::greeting, "554 mx.example.org Service unavailable", c::no_mail_service,
             a::check_account_settings},
            {p::ehlo, "554 mx.example.org Service unavailable", c::no_mail_service,
             a::check_account_settings},
            {p::rcpt, "554 5.3.2 Service currently unavailable", c::server_error,
             a::report_problem},
            {p::data_end, "554 5.3.2 Service currently unavailable", c::server_error,
             a::report_problem},
        };
        for (const auto& t : unavailable) {
            CAPTURE(t.ph);
            const auto v = classify_reply(t.reply, t.ph);
            CHECK(v.cond == t.cond);
            CHECK(v.act == t.act);
            CHECK(!v.retry.has_value());
        }
        CHECK(classify_reply("451 4.3.2 Service unavailable", p::rcpt).cond ==
              c::service_unavailable);
    }

    TEST_CASE("review findings: codes whose meaning depends on the phase, and the account") {
        // 454 is about sign-in only after AUTH and about TLS after STARTTLS: elsewhere a
        // password prompt would be wrong (the outbox asks for the password after three).
        for (const p ph : {p::mail, p::rcpt, p::data, p::data_end}) {
            CAPTURE(ph);
            for (const char* reply : {"454 Relaying temporarily denied", "454 Try again",
                                      "454 4.7.0 Message deferred"}) {
                CAPTURE(reply);
                const auto v = classify_reply(reply, ph);
                CHECK(v.cond == c::transient_failure);
                CHECK(v.act == a::retry_later);
                CHECK(v.transient);
            }
        }
        CHECK(classify_reply("454 4.7.0 Temporary authentication failure", p::auth).cond ==
              c::authentication_temporary_failure);
        CHECK(
            classify_reply("454 4.7.0 TLS not available due to local problem", p::starttls).cond ==
            c::tls_unavailable);
        // 4.3.2 is an outage to wait out (RFC 3463: shutdown, load, maintenance); 5.3.2 and
        // 521 a server that takes no mail (RFC 7504's "521 5.3.2").
        for (const p ph : {p::rcpt, p::data_end}) {
            CAPTURE(ph);
            const auto v = classify_reply("451 4.3.2 Please try again later", ph);
            CHECK(v.cond == c::service_unavailable);
            CHECK(v.act == a::retry_later);
        }
        CHECK(classify_reply("550 5.3.2 System not accepting network messages", p::rcpt).cond ==
              c::no_mail_service);
        CHECK(classify_reply("521 5.3.2 This host does not accept mail", p::greeting).cond ==
              c::no_mail_service);
        // 530 is "authenticate first" whatever enhanced code comes with it; at AUTH, TLS first.
        for (const char* reply : {"530 5.5.1", "530 5.5.0 Authentifizierung erforderlich",
                                  "530 5.7.1 Authentifizierung erforderlich"}) {
            CAPTURE(reply);
            const auto v = classify_reply(reply, p::mail);
            CHECK(v.cond == c::authentication_required);
            CHECK(v.act == a::reauthenticate);
        }
        CHECK(classify_reply("530 Access denied", p::auth).cond == c::encryption_required);
        // The sender's own account, named at RCPT or after the data (Postfix checks its
        // restrictions at RCPT by default): the account, not the recipients.
        for (const auto& [reply, ph] :
             {std::pair{"550 5.7.1 Your account has been suspended", p::data_end},
              std::pair{"554 5.7.1 <alice@example.com>: SASL login name rejected: account "
                        "suspended",
                        p::rcpt},
              std::pair{"550 5.7.1 Your account is locked", p::rcpt}}) {
            CAPTURE(reply);
            const auto v = classify_reply(reply, ph);
            CHECK(v.cond == c::account_restricted);
            CHECK(v.sc == s::account);
        }
        CHECK(classify_reply("550 5.2.1 Mailbox disabled", p::rcpt).cond ==
              c::recipient_mailbox_unavailable);
    }

    TEST_CASE("a phase outside the enum uses only the rules for any phase") {
        // A caller's cast; the rule tables are indexed by phase, so this must stay in bounds
        // (ASan in CI would see a read past them).
        for (const int raw : {11, 15, 16, 200, 255}) {
            CAPTURE(raw);
            const auto bad = static_cast<p>(raw);
            // The enhanced code decides for any phase.
            CHECK(classify_reply("550 5.1.1 <bob@example.org>: User unknown", bad).cond ==
                  c::recipient_unknown);
            // A text rule for any phase.
            CHECK(classify_reply("450 4.2.0 Greylisted, try again in 5 minutes", bad).cond ==
                  c::greylisted);
            // "550 after RCPT" needs the phase: a rule for any phase or the code decides.
            const auto v = classify_reply("550 Rejected", bad);
            CHECK(v.rule != "rcpt.unknown");
            CHECK(v.cond != c::none);
            CHECK_FALSE(v.transient);
        }
    }
}

TEST_SUITE("classify.transport") {
    TEST_CASE("each transport value") {
        struct row {
            errc e;
            c cond;
            a act;
            bool transient;
        };
        const row rows[] = {
            {errc::connection_failed, c::connection_failed, a::retry_later, true},
            {errc::connection_lost, c::connection_lost, a::retry_later, true},
            {errc::timed_out, c::timed_out, a::retry_later, true},
            {errc::tls_failed, c::tls_failed, a::retry_later, true},
            {errc::certificate_untrusted, c::certificate_untrusted, a::review_certificate, false},
            {errc::starttls_unavailable, c::starttls_unavailable, a::check_account_settings, false},
            {errc::protocol_violation, c::protocol_violation, a::retry_later, true},
            {errc::line_too_long, c::protocol_violation, a::retry_later, true},
            {errc::too_many_lines, c::protocol_violation, a::retry_later, true},
            {errc::reply_too_large, c::protocol_violation, a::retry_later, true},
            {errc::invalid_code, c::protocol_violation, a::retry_later, true},
            {errc::code_out_of_range, c::protocol_violation, a::retry_later, true},
            {errc::inconsistent_code, c::protocol_violation, a::retry_later, true},
            {errc::missing_separator, c::protocol_violation, a::retry_later, true},
            {errc::nul_byte, c::protocol_violation, a::retry_later, true},
            {errc::bare_lf, c::protocol_violation, a::retry_later, true},
            {errc::truncated_reply, c::protocol_violation, a::retry_later, true},
            {errc::trailing_data, c::protocol_violation, a::retry_later, true},
            {errc::sasl_invalid_base64, c::protocol_violation, a::retry_later, true},
            {errc::sasl_invalid_json, c::protocol_violation, a::retry_later, true},
        };
        for (const auto& t : rows) {
            CAPTURE(static_cast<int>(t.e));
            const auto d = smtperr::classify(make_error_code(t.e), {p::mail, {}, {}});
            const auto v = copy_out(d);
            check4(v, {t.cond, t.act, s::connection, t.transient});
            CHECK(v.code == t.e);
            CHECK(v.rule == "transport");
            CHECK(v.retry.has_value() == t.transient);
            CHECK(v.message_id == smtperr::to_string(t.cond));
        }
    }

    TEST_CASE("a connection lost after the final dot may have delivered the message") {
        for (const errc e : {errc::connection_lost, errc::timed_out}) {
            const auto d = smtperr::classify(make_error_code(e), {p::data_end, {}, {}});
            CHECK(d.transient);
            CHECK(d.message_id == "delivery_uncertain");
        }
        const auto before =
            smtperr::classify(make_error_code(errc::connection_lost), {p::data, {}, {}});
        CHECK(before.message_id == "connection_lost");
    }

    TEST_CASE("a server name that does not resolve: retried, but the settings are suspect") {
        const auto d =
            smtperr::classify(make_error_code(errc::host_not_found), {p::greeting, {}, {}});
        CHECK(d.condition == c::connection_failed);
        CHECK(d.transient);
        CHECK(d.retry_after_seconds.has_value());
        CHECK(d.action == a::check_account_settings);
        CHECK(d.message_id == "server_not_found");
        const auto en = smtperr::render_message(d, smtperr::language::en);
        const auto de = smtperr::render_message(d, smtperr::language::de);
        CHECK(en.list_line == "Server name not found – check the server address");
        CHECK(de.list_line == "Servername nicht gefunden – Serveradresse prüfen");
    }

    TEST_CASE("a request refused before connecting: permanent, never retried, what to correct") {
        struct row {
            errc e;
            a act;
            s sc;
            const char* en;
            const char* de;
        };
        const row rows[] = {
            {errc::invalid_option, a::check_account_settings, s::account,
             "Not sent – check this account's settings",
             "Nicht gesendet – Kontoeinstellungen prüfen"},
            {errc::invalid_address, a::edit_message, s::message,
             "Not sent – check the sender and recipient addresses",
             "Nicht gesendet – Absender und Empfänger prüfen"},
            {errc::no_recipients, a::edit_message, s::message,
             "Not sent – check the sender and recipient addresses",
             "Nicht gesendet – Absender und Empfänger prüfen"},
            {errc::invalid_outbox_state, a::report_problem, s::message,
             "Not sent – internal error in the app", "Nicht gesendet – interner Fehler der App"},
            {errc::duplicate_id, a::report_problem, s::message,
             "Not sent – internal error in the app", "Nicht gesendet – interner Fehler der App"},
            {errc::invalid_utf8, a::report_problem, s::message,
             "Not sent – internal error in the app", "Nicht gesendet – interner Fehler der App"},
        };
        for (const auto& t : rows) {
            CAPTURE(static_cast<int>(t.e));
            for (const p ph : {p::greeting, p::data_end}) {
                const auto d = smtperr::classify(make_error_code(t.e), {ph, {}, {}});
                CHECK(d.code == t.e);
                CHECK(d.condition == c::permanent_failure);
                CHECK_FALSE(d.transient);
                CHECK_FALSE(d.retry_after_seconds.has_value());
                CHECK(d.action == t.act);
                CHECK(d.scope == t.sc);
                CHECK(smtperr::render_message(d, smtperr::language::en).list_line == t.en);
                CHECK(smtperr::render_message(d, smtperr::language::de).list_line == t.de);
            }
        }
    }

    TEST_CASE("every caller-input error has its own rule") {
        // A value added to errc from 300 on without a row in caller_error_rules would fall
        // through to the transport's conditions.
        int found = 0;
        for (int v = 300; v < 400; ++v) {
            const std::error_code ec = make_error_code(static_cast<errc>(v));
            if (ec.message() == "unknown smtperr.transport error") {
                continue;
            }
            ++found;
            CAPTURE(v);
            const auto d = smtperr::classify(ec, {p::mail, {}, {}});
            CHECK(d.condition == c::permanent_failure);
            CHECK(d.message_id != "permanent_failure");
        }
        CHECK(found == 6);
    }

    TEST_CASE("errors of other categories") {
        auto cls = [](std::error_code ec) { return smtperr::classify(ec, {p::rcpt, {}, {}}); };
        CHECK(cls(std::make_error_code(std::errc::connection_refused)).condition ==
              c::connection_failed);
        CHECK(cls(std::make_error_code(std::errc::host_unreachable)).condition ==
              c::connection_failed);
        CHECK(cls(std::make_error_code(std::errc::network_unreachable)).condition ==
              c::connection_failed);
        CHECK(cls(std::make_error_code(std::errc::timed_out)).condition == c::timed_out);
        CHECK(cls(std::error_code(ECONNREFUSED, std::system_category())).condition ==
              c::connection_failed);
        const auto reset = cls(std::make_error_code(std::errc::connection_reset));
        CHECK(reset.condition == c::connection_lost);
        CHECK(reset.transient);
        CHECK(cls(std::make_error_code(std::errc::broken_pipe)).condition == c::connection_lost);
        // A reply code passed as an error code keeps its class.
        const auto r450 = cls(make_error_code(smtperr::reply_code{450}));
        CHECK(r450.condition == c::recipient_mailbox_unavailable);
        CHECK(r450.transient);
        const auto r550 = cls(make_error_code(smtperr::reply_code{550}));
        CHECK(r550.condition == c::recipient_mailbox_unavailable);
        CHECK_FALSE(r550.transient);
        // A value the library's own category does not know has no class of its own: it is
        // lost like a reset and retried, never a permanent failure.
        for (const auto& unknown : {std::error_code(150, smtperr::transport_category()),
                                    std::error_code(9999, smtperr::transport_category()),
                                    std::error_code(150, smtperr::reply_category()),
                                    std::error_code(250, smtperr::reply_category()),
                                    std::error_code(7, smtperr::status_category())}) {
            const auto d = cls(unknown);
            CHECK_MESSAGE(d.condition == c::connection_lost, unknown.message());
            CHECK_MESSAGE(d.transient, unknown.message());
            CHECK_MESSAGE(d.action == a::retry_later, unknown.message());
        }
        // No error, no failure.
        const auto none = cls(std::error_code{});
        CHECK(none.condition == c::none);
        CHECK(none.action == a::none);
        CHECK_FALSE(none.transient);
    }
}
