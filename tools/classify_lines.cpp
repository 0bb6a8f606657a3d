// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#include "classify_lines.hpp"

#include <smtperr/classify/classify.hpp>
#include <smtperr/pipeline/json.hpp>
#include <smtperr/reply/reply.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <utility>

#include "report.hpp"

namespace smtperr::tool {

phase typical_phase(int code) {
    switch (code) {
        case 220:
        case 421:
        case 521:
            return phase::greeting;
        case 235:
        case 334:
        case 432:
        case 454:
        case 534:
        case 535:
        case 538:
            return phase::auth;
        case 354:
            return phase::data;
        case 221:
            return phase::quit;
        default:
            return phase::rcpt;
    }
}

std::string_view trim_reply_end(std::string_view reply) noexcept {
    while (!reply.empty() && (reply.back() == '\n' || reply.back() == '\r')) {
        reply.remove_suffix(1);
    }
    return reply;
}

boost::json::object classify_line(std::string_view line, language lang) {
    boost::json::object out;
    boost::system::error_code ec;
    const auto v = boost::json::parse(line, ec);
    const auto* obj = ec ? nullptr : v.if_object();
    // An id is a string or an integer: those come back exactly (Boost.JSON reads 1e400 as
    // infinity, which it then writes as no JSON can hold, and other decimals not exactly).
    const auto* id = obj != nullptr ? obj->if_contains("id") : nullptr;
    bool id_ok = id == nullptr || id->is_string() || id->is_int64() || id->is_uint64();
    auto fail = [&](std::string why) {
        out["error"] = std::move(why);
        if (id != nullptr && id_ok) {
            out["id"] = *id;
        }
        return out;
    };
    if (ec) {
        // A blank line too is a line, answered in its place: callers pair answers with
        // lines by their order.
        return fail(line.find_first_not_of(" \t\r") == std::string_view::npos
                        ? "blank line: no JSON object"
                        : "invalid JSON: " + ec.message());
    }
    if (obj == nullptr)
        return fail("input line is not a JSON object");
    if (has_duplicate_keys(line)) {  // Another reader might take the first of them.
        id_ok = false;               // So no id is echoed: which one would be a guess.
        return fail("invalid JSON: a key appears twice in one object");
    }
    if (!id_ok)
        return fail("\"id\" must be a string or an integer");
    const auto* reply_v = obj->if_contains("reply");
    if (reply_v == nullptr || !reply_v->is_string())
        return fail("\"reply\" must be a string");
    classify_context ctx;
    const auto* phase_v = obj->if_contains("phase");
    if (phase_v != nullptr && !phase_v->is_null()) {
        if (!phase_v->is_string())
            return fail("\"phase\" must be a string");
        const auto ph = phase_from_string(phase_v->get_string());
        if (!ph)
            return fail("unknown phase: " + std::string(phase_v->get_string()));
        ctx.phase = *ph;
    }
    if (const auto* h = obj->if_contains("host"); h != nullptr && !h->is_null()) {
        if (!h->is_string())
            return fail("\"host\" must be a string or null");
        ctx.host = h->get_string();
    }
    if (const auto* m = obj->if_contains("mechanism"); m != nullptr && !m->is_null()) {
        if (!m->is_string())
            return fail("\"mechanism\" must be a string or null");
        ctx.sasl_mechanism = m->get_string();
    }
    auto parsed = parse_reply(trim_reply_end(reply_v->get_string()));
    if (!parsed)
        return fail("cannot parse reply: " + parsed.error().message());
    const reply_view r = parsed.value().view();
    if (phase_v == nullptr || phase_v->is_null()) {
        ctx.phase = typical_phase(r.code);
    }
    out = to_json(r, classify(r, ctx), lang);
    if (id != nullptr) {
        out["id"] = *id;
    }
    return out;
}

void line_classifier::feed(std::string_view piece, std::ostream& out) {
    while (!piece.empty()) {
        const auto lf = piece.find('\n');
        const auto part = piece.substr(0, lf);
        if (!overflow_) {
            if (part.size() > max_line_ - line_.size()) {
                overflow_ = true;
                line_.clear();
                line_.shrink_to_fit();
            } else {
                line_.append(part);
            }
        }
        if (lf == std::string_view::npos)
            return;
        emit(out);
        piece.remove_prefix(lf + 1);
    }
}

void line_classifier::finish(std::ostream& out) {
    if (!line_.empty() || overflow_) {
        emit(out);
    }
}

void line_classifier::emit(std::ostream& out) {
    if (overflow_) {
        boost::json::object err;
        err["error"] = "input line longer than " + std::to_string(max_line_) + " bytes";
        out << boost::json::serialize(err) << '\n';
        failed_ = true;
    } else {
        std::string_view text = line_;
        if (first_ && text.substr(0, 3) == "\xEF\xBB\xBF") {
            // A byte order mark, which Windows tools write before UTF-8: RFC 8259 §8.1 lets a
            // parser ignore it, and Boost.JSON does not.
            text.remove_prefix(3);
        }
        const auto o = classify_line(text, lang_);
        failed_ = failed_ || o.contains("error");
        out << boost::json::serialize(o) << '\n';
    }
    line_.clear();
    overflow_ = false;
    first_ = false;
}

}  // namespace smtperr::tool
