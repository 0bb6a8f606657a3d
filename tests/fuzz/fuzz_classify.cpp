// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

// libFuzzer target for smtperr::classify() and the message catalog behind it. Also replayed
// by smtperr_fuzz_regressions_classify.
//
// Input layout: byte 0 chooses the phase, byte 1 the server host (one of the providers'
// submission hosts, none, a look-alike, or with bit 4 set the first line of the rest), byte 2
// the SASL mechanism and a transport error; the rest is a reply stream, parsed by
// smtperr::reply_parser and every reply classified. Checked for each diagnosis: a negative
// reply never gives condition none, the class follows the first digit of the code, the
// message id renders in English and German within the list-view limit, a help link is
// http(s) on the detected provider's own domain, and the diagnosis as the outbox saves it
// reads back unchanged.

#include <smtperr/classify/classify.hpp>
#include <smtperr/error/condition.hpp>
#include <smtperr/error/errc.hpp>
#include <smtperr/error/reply_code.hpp>
#include <smtperr/messages/messages.hpp>
#include <smtperr/pipeline/diagnosis_record.hpp>
#include <smtperr/pipeline/json.hpp>
#include <smtperr/reply/parser.hpp>

#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "fuzz_check.hpp"

namespace smtperr_fuzz {
namespace {

using smtperr::condition;

const std::string_view hosts[] = {
    "",
    "smtp.gmail.com",
    "smtp.office365.com",
    "smtp.mail.yahoo.com",
    "smtp.mail.me.com",
    "mail.gmx.net",
    "securesmtp.t-online.de",
    "smtp.zoho.eu",
    "smtp.yandex.ru",
    "smtp.mail.ru",
    "smtp.qq.com",
    "smtp.163.com",
    "smtp.fastmail.com",
    "mail.example.org",
    "gmail.com.attacker.example",
    "127.0.0.1",
};

const std::string_view mechanisms[] = {"",        "PLAIN",       "LOGIN",    "XOAUTH2",
                                       "xoauth2", "OAUTHBEARER", "CRAM-MD5", "OAUTHBEARER "};

void check_help_url(const smtperr::diagnosis& d) {
    if (!d.help_url.empty()) {
        const char* bad = untrusted_help_url(d.provider, d.help_url);
        SMTPERR_FUZZ_CHECK(bad == nullptr,
                           std::string(bad ? bad : "") + ": " + std::string(d.help_url));
    }
}

void check_rendered(const smtperr::diagnosis& d, std::string_view untrusted) {
    smtperr::diagnosis unknown_condition = d;
    unknown_condition.condition = static_cast<condition>(smtperr::condition_count + 3);
    smtperr::message_args args;
    args.recipient = untrusted;
    args.size_limit = untrusted.size() * 1000;
    for (const auto lang : {smtperr::language::en, smtperr::language::de}) {
        for (const bool with_args : {false, true}) {
            const auto t =
                smtperr::render_message(d, lang, with_args ? args : smtperr::message_args{});
            const auto n = utf8_length(t.list_line);
            SMTPERR_FUZZ_CHECK(n && *n >= 1 && *n <= 90, d.message_id);
            SMTPERR_FUZZ_CHECK(utf8_length(t.detail).value_or(0) >= 1, d.message_id);
            SMTPERR_FUZZ_CHECK(t.list_line.find('\n') == std::string::npos, d.message_id);
            SMTPERR_FUZZ_CHECK(t.action_label == smtperr::action_label(d.action, lang),
                               d.message_id);
            if (!with_args && d.forward_path.empty()) {
                // Placeholders left in a text without facts would mean a missing variant.
                SMTPERR_FUZZ_CHECK(t.list_line.find_first_of("{}") == std::string::npos &&
                                       t.detail.find_first_of("{}") == std::string::npos,
                                   d.message_id);
                // The message id has its own entry: the condition is not needed to find it.
                const auto by_id = smtperr::render_message(unknown_condition, lang);
                SMTPERR_FUZZ_CHECK(by_id.list_line == t.list_line, d.message_id);
            }
        }
    }
}

// What the outbox saves of a diagnosis reads back, unchanged: the classifier never gives a
// diagnosis that a saved outbox would refuse when restored (a help link it distrusts).
void check_saved(const smtperr::diagnosis& d, std::string_view raw_text) {
    const auto saved = smtperr::to_json(smtperr::diagnosis_record(d, raw_text));
    for (const auto& field : saved) {
        // Written to a file, it must parse back: Boost.JSON writes any octets, reads UTF-8.
        SMTPERR_FUZZ_CHECK(!field.value().is_string() || utf8_length(field.value().get_string()),
                           field.key());
    }
    const auto back = smtperr::diagnosis_from_json(saved);
    SMTPERR_FUZZ_CHECK(back.has_value(), boost::json::serialize(saved));
    SMTPERR_FUZZ_CHECK(smtperr::to_json(back.value()) == saved, boost::json::serialize(saved));
}

void check_common(const smtperr::diagnosis& d, smtperr::phase ph) {
    SMTPERR_FUZZ_CHECK(d.phase == ph, "phase not kept");
    SMTPERR_FUZZ_CHECK(!smtperr::to_string(d.condition).empty(), "condition out of range");
    SMTPERR_FUZZ_CHECK(!smtperr::to_string(d.action).empty(), "action out of range");
    SMTPERR_FUZZ_CHECK(!smtperr::to_string(d.scope).empty(), "scope out of range");
    SMTPERR_FUZZ_CHECK(d.failed() == (d.condition != condition::none), "failed()");
    SMTPERR_FUZZ_CHECK(
        !d.retry_after_seconds || d.transient || d.action == smtperr::action::retry_later,
        "retry hint on a permanent failure without retry_later");
    if (d.failed()) {
        SMTPERR_FUZZ_CHECK(!d.message_id.empty(), "no message id");
        SMTPERR_FUZZ_CHECK(!d.rule.empty(), "no rule id");
    } else {
        SMTPERR_FUZZ_CHECK(d.action == smtperr::action::none, "an action on success");
    }
    check_help_url(d);
}

void check_reply(const smtperr::reply_view& r, const smtperr::classify_context& ctx) {
    const smtperr::diagnosis d = smtperr::classify(r, ctx);
    check_common(d, ctx.phase);
    check_saved(d, r.text);
    const int cls = r.code / 100;
    if (cls == 4 || cls == 5) {
        SMTPERR_FUZZ_CHECK(d.condition != condition::none, "negative reply with condition none");
        SMTPERR_FUZZ_CHECK(d.transient == (cls == 4), "transient does not follow the first digit");
        SMTPERR_FUZZ_CHECK(d.code == smtperr::make_error_code(smtperr::reply_code{r.code}),
                           "code is not the reply code");
        const auto want =
            cls == 4 ? smtperr::failure_class::transient : smtperr::failure_class::permanent;
        const auto other =
            cls == 4 ? smtperr::failure_class::permanent : smtperr::failure_class::transient;
        SMTPERR_FUZZ_CHECK(d.code == want && d.code != other, "class of the code");
        SMTPERR_FUZZ_CHECK(!d.status || (d.status == want && d.status != other),
                           "class of the enhanced status");
    } else if (!(r.code == 334 && ctx.phase == smtperr::phase::auth)) {
        // Only an OAuth error challenge is a negative positive-looking reply.
        SMTPERR_FUZZ_CHECK(d.condition == condition::none, smtperr::to_string(d.condition));
    }
    if (!d.forward_path.empty()) {
        SMTPERR_FUZZ_CHECK(r.code == 251 || r.code == 551, "forward path on another code");
        SMTPERR_FUZZ_CHECK(r.text.find(d.forward_path) != std::string_view::npos,
                           "forward path not from the text");
        for (const char c : d.forward_path) {  // It reaches the UI as it is.
            SMTPERR_FUZZ_CHECK(c > ' ' && c < 0x7f, d.forward_path);
        }
    }
    const smtperr::diagnosis again = smtperr::classify(r, ctx);
    SMTPERR_FUZZ_CHECK(again.condition == d.condition && again.rule == d.rule &&
                           again.help_url == d.help_url && again.action == d.action,
                       "not deterministic");
    if (d.failed()) {
        check_rendered(d, r.line(0));
    }
}

/// Transport failures: never success, and the class follows the error's own category.
void check_failure(std::uint8_t selector, const smtperr::classify_context& ctx) {
    std::error_code ec;
    switch (selector & 3U) {
        case 0:
            ec = smtperr::errc(selector >> 2U);
            break;
        case 1:  // SASL (200 on) and caller input (300 on)
            ec = smtperr::errc(((selector >> 2U) & 1U ? 300 : 200) + (selector >> 3U));
            break;
        case 2:
            ec = std::error_code(selector >> 2U, std::generic_category());
            break;
        default:
            ec = smtperr::make_error_code(smtperr::reply_code{400 + (selector >> 2U) * 3});
            break;
    }
    const smtperr::diagnosis d = smtperr::classify(ec, ctx);
    check_common(d, ctx.phase);
    check_saved(d, "");
    SMTPERR_FUZZ_CHECK(d.failed() == static_cast<bool>(ec),
                       "transport failure classified as success");
    if (ec) {
        check_rendered(d, "");
    }
}

}  // namespace
}  // namespace smtperr_fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace smtperr_fuzz;
    if (size < 3) {
        return 0;
    }
    smtperr::classify_context ctx;
    ctx.phase = static_cast<smtperr::phase>(data[0] % smtperr::phase_count);
    std::string_view rest(reinterpret_cast<const char*>(data) + 3, size - 3);
    if ((data[1] & 0x10U) != 0) {
        const std::size_t lf = rest.find('\n');
        ctx.host = rest.substr(0, lf);
        rest = lf == std::string_view::npos ? std::string_view() : rest.substr(lf + 1);
    } else {
        ctx.host = hosts[data[1] & 0x0FU];
    }
    ctx.sasl_mechanism = mechanisms[data[2] & 7U];
    check_failure(static_cast<std::uint8_t>(data[2] >> 3U), ctx);

    smtperr::reply_parser p;
    while (!rest.empty()) {
        std::error_code ec;
        const std::size_t n = p.feed(rest, ec);
        rest.remove_prefix(n);
        if (ec) {
            if (n == 0) {
                // Resynchronize after the error the way the transport would not: skip a line.
                const std::size_t lf = rest.find('\n');
                rest = lf == std::string_view::npos ? std::string_view() : rest.substr(lf + 1);
            }
            continue;
        }
        if (p.has_reply()) {
            check_reply(p.get(), ctx);
        }
    }
    return 0;
}
