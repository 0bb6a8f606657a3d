// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#include <smtperr/error/errc.hpp>
#include <smtperr/error/reply_code.hpp>
#include <smtperr/error/status_code.hpp>
#include <smtperr/messages/messages.hpp>
#include <smtperr/pipeline/json.hpp>

#include <boost/json/basic_parser_impl.hpp>

#include <set>
#include <string>
#include <vector>

#include "error/tables.hpp"
#include "pipeline/safe_record.hpp"

namespace smtperr {

namespace {

boost::json::value or_null(std::string_view s) {
    return s.empty() ? boost::json::value(nullptr) : boost::json::value(s);
}

// The categories a saved diagnosis may name; another one (a transport's own, which this
// program may not even have) is restored through foreign_stand_in().
const std::error_category* category_by_name(std::string_view name) noexcept {
    for (const auto* cat : {&reply_category(), &transport_category(), &status_category()}) {
        if (name == cat->name()) {
            return cat;
        }
    }
    if (name == std::generic_category().name()) {
        return &std::generic_category();
    }
    if (name == std::system_category().name()) {
        return &std::system_category();
    }
    return nullptr;
}

// The code a saved diagnosis gets when its category is unknown here: the first transport
// code of its condition where there is one (the transport's failures, 100 to 199, in the
// error table), else connection_lost, which classify() makes of any other failure that ends
// a session. The condition, text and the rest come back as saved; refusing the record
// instead would cost the whole outbox.
std::error_code foreign_stand_in(condition c) noexcept {
    for (std::size_t i = 0; i < detail::errc_row_count; ++i) {
        const auto& row = detail::errc_rows[i];
        const auto v = static_cast<int>(row.value);
        if (v >= 100 && v < 200 && row.cond == c) {
            return make_error_code(row.value);
        }
    }
    return make_error_code(errc::connection_lost);
}

// A handler for boost::json::basic_parser that stops at the first key an object has twice.
struct key_checker {
    static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
    using error_code = boost::json::error_code;
    using string_view = boost::json::string_view;

    std::vector<std::set<std::string>> open;  // The keys of each object open, innermost last.
    std::string key;                          // The key being read, in parts.
    bool duplicate = false;

    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) { return true; }
    bool on_array_begin(error_code&) { return true; }
    bool on_array_end(std::size_t, error_code&) { return true; }
    bool on_object_begin(error_code&) {
        open.emplace_back();
        return true;
    }
    bool on_object_end(std::size_t, error_code&) {
        open.pop_back();
        return true;
    }
    bool on_string_part(string_view, std::size_t, error_code&) { return true; }
    bool on_string(string_view, std::size_t, error_code&) { return true; }
    bool on_key_part(string_view s, std::size_t, error_code&) {
        key.append(s.data(), s.size());
        return true;
    }
    bool on_key(string_view s, std::size_t, error_code& ec) {
        key.append(s.data(), s.size());
        if (!open.back().insert(std::move(key)).second) {
            duplicate = true;
            ec = boost::json::error::syntax;  // Stops the parse.
            return false;
        }
        key.clear();
        return true;
    }
    bool on_number_part(string_view, error_code&) { return true; }
    bool on_int64(std::int64_t, string_view, error_code&) { return true; }
    bool on_uint64(std::uint64_t, string_view, error_code&) { return true; }
    bool on_double(double, string_view, error_code&) { return true; }
    bool on_bool(bool, error_code&) { return true; }
    bool on_null(error_code&) { return true; }
    bool on_comment_part(string_view, error_code&) { return true; }
    bool on_comment(string_view, error_code&) { return true; }
};

}  // namespace

bool has_duplicate_keys(std::string_view text) {
    boost::json::basic_parser<key_checker> parser{boost::json::parse_options{}};
    boost::json::error_code ec;
    parser.write_some(false, text.data(), text.size(), ec);
    return parser.handler().duplicate;
}

boost::json::object to_json(const diagnosis_record& d) {
    boost::json::object o;
    o["category"] = d.code.category().name();
    o["code"] = d.code.value();
    o["status"] = d.status ? boost::json::value(d.status->to_string()) : nullptr;
    o["phase"] = to_string(d.phase);
    o["condition"] = to_string(d.condition);
    o["action"] = to_string(d.action);
    o["scope"] = to_string(d.scope);
    o["transient"] = d.transient;
    o["retry_after_seconds"] =
        d.retry_after_seconds ? boost::json::value(*d.retry_after_seconds) : nullptr;
    o["provider"] = or_null(d.provider);
    o["help_url"] = or_null(d.help_url);
    o["message_id"] = d.message_id;
    o["forward_path"] = or_null(d.forward_path);
    o["server_text"] = d.server_text;
    o["rule"] = d.rule;
    return o;
}

result<diagnosis_record> diagnosis_from_json(const boost::json::value& v) {
    const auto bad = make_error_code(errc::invalid_outbox_state);
    const auto* o = v.if_object();
    if (o == nullptr) {
        return bad;
    }
    auto str = [&](std::string_view key, std::string& out, bool nullable) {
        const auto* x = o->if_contains(key);
        if (x == nullptr)
            return false;
        if (x->is_null())
            return nullable;
        if (!x->is_string())
            return false;
        out = x->get_string();
        return true;
    };
    diagnosis_record d;
    std::string category, status, ph, cond, act, scp;
    if (!str("category", category, false) || !str("status", status, true) ||
        !str("phase", ph, false) || !str("condition", cond, false) || !str("action", act, false) ||
        !str("scope", scp, false) || !str("provider", d.provider, true) ||
        !str("help_url", d.help_url, true) || !str("message_id", d.message_id, false) ||
        !str("forward_path", d.forward_path, true) || !str("server_text", d.server_text, false) ||
        !str("rule", d.rule, false)) {
        return bad;
    }
    // The file may have been edited, or written by a release that kept more: what reaches a
    // UI is made safe again (sanitizing is idempotent, so what save() wrote comes back
    // unchanged), and a help link or forward-path the classifier would not give is dropped
    // rather than costing the whole outbox.
    detail::make_safe(d);
    if (!status.empty()) {
        const auto m = parse_enhanced_status(status);
        if (!m || m->length != status.size())
            return bad;
        d.status = m->status;
    }
    const auto p = phase_from_string(ph);
    const auto c = condition_from_string(cond);
    const auto a = action_from_string(act);
    const auto s = scope_from_string(scp);
    if (!p || !c || !a || !s)
        return bad;
    d.phase = *p;
    d.condition = *c;
    d.action = *a;
    d.scope = *s;
    const auto* code = o->if_contains("code");
    if (code == nullptr || !code->is_int64() || category.empty() || code->as_int64() < INT32_MIN ||
        code->as_int64() > INT32_MAX) {
        return bad;
    }
    const auto* cat = category_by_name(category);
    d.code = cat != nullptr ? std::error_code(static_cast<int>(code->as_int64()), *cat)
                            : foreign_stand_in(d.condition);
    const auto* transient = o->if_contains("transient");
    if (transient == nullptr || !transient->is_bool())
        return bad;
    d.transient = transient->get_bool();
    const auto* retry = o->if_contains("retry_after_seconds");
    if (retry == nullptr)
        return bad;
    if (!retry->is_null()) {
        if (!retry->is_int64() && !retry->is_uint64())
            return bad;
        const auto r =
            retry->is_int64() ? retry->get_int64() : static_cast<std::int64_t>(retry->get_uint64());
        if (r < 0 || r > UINT32_MAX)
            return bad;
        d.retry_after_seconds = static_cast<std::uint32_t>(r);
    }
    return d;
}

boost::json::object to_json(const send_report& r) {
    boost::json::object o;
    o["outcome"] = to_string(r.outcome);
    o["condition"] = to_string(r.deciding.condition);
    o["action"] = to_string(r.deciding.action);
    o["possibly_delivered"] = r.possibly_delivered;
    o["expired"] = r.expired;
    boost::json::array recipients;
    for (const auto& rr : r.recipients) {
        boost::json::object x;
        x["address"] = rr.address;
        x["accepted"] = rr.accepted;
        x["condition"] = rr.diagnosis ? to_string(rr.diagnosis->condition) : "none";
        x["possibly_delivered"] = rr.possibly_delivered;
        if (rr.diagnosis) {
            x["diagnosis"] = to_json(*rr.diagnosis);
        }
        recipients.push_back(std::move(x));
    }
    o["recipients"] = std::move(recipients);
    o["deciding"] = to_json(r.deciding);
    return o;
}

}  // namespace smtperr
