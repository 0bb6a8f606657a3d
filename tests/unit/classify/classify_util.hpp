// Shared helpers for the classifier tests: parse a wire reply, classify it, and copy the
// diagnosis out (its string views point into the reply, which dies with the helper).
#ifndef SMTPERR_TESTS_UNIT_CLASSIFY_UTIL_HPP
#define SMTPERR_TESTS_UNIT_CLASSIFY_UTIL_HPP

#include <smtperr/classify/classify.hpp>
#include <smtperr/reply/reply.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>

// Readable doctest output for the enums used in CHECKs (doctest prints enums as numbers).
namespace doctest {
template <>
struct StringMaker<smtperr::condition> {
    static String convert(smtperr::condition v) {
        return String(std::string(smtperr::to_string(v)).c_str());
    }
};
template <>
struct StringMaker<smtperr::action> {
    static String convert(smtperr::action v) {
        return String(std::string(smtperr::to_string(v)).c_str());
    }
};
template <>
struct StringMaker<smtperr::scope> {
    static String convert(smtperr::scope v) {
        return String(std::string(smtperr::to_string(v)).c_str());
    }
};
template <>
struct StringMaker<smtperr::phase> {
    static String convert(smtperr::phase v) {
        return String(std::string(smtperr::to_string(v)).c_str());
    }
};
}  // namespace doctest

namespace classify_test {

using smtperr::action;
using smtperr::condition;
using smtperr::phase;
using smtperr::scope;

/// A diagnosis with its views copied into owned strings.
struct verdict {
    std::error_code code;
    std::error_code status;
    condition cond = condition::none;
    action act = action::none;
    scope sc = scope::connection;
    bool transient = false;
    std::optional<std::uint32_t> retry;
    std::string provider;
    std::string help_url;
    std::string message_id;
    std::string forward_path;
    std::string rule;
};

inline verdict copy_out(const smtperr::diagnosis& d) {
    verdict v;
    v.code = d.code;
    v.status = d.status;
    v.cond = d.condition;
    v.act = d.action;
    v.sc = d.scope;
    v.transient = d.transient;
    v.retry = d.retry_after_seconds;
    v.provider = std::string(d.provider);
    v.help_url = std::string(d.help_url);
    v.message_id = std::string(d.message_id);
    v.forward_path = std::string(d.forward_path);
    v.rule = std::string(d.rule);
    return v;
}

/// Lines separated by '\n' in `wire` are sent as CRLF-terminated reply lines.
inline std::string to_wire(std::string_view lines) {
    std::string out;
    for (char c : lines) {
        if (c == '\n') {
            out += "\r\n";
        } else {
            out += c;
        }
    }
    return out;
}

/// Parses `lines` (a reply; lines separated by '\n') and classifies it.
inline verdict classify_reply(std::string_view lines, phase p, std::string_view host = {},
                              std::string_view mechanism = {}) {
    auto parsed = smtperr::parse_reply(to_wire(lines));
    INFO("reply: " << lines);
    REQUIRE(parsed.has_value());
    const smtperr::reply r = std::move(parsed).value();
    smtperr::classify_context ctx;
    ctx.phase = p;
    ctx.host = host;
    ctx.sasl_mechanism = mechanism;
    return copy_out(smtperr::classify(r.view(), ctx));
}

/// The four fields every table row asserts.
struct expect4 {
    condition cond;
    action act;
    scope sc;
    bool transient;
};

inline void check4(const verdict& v, const expect4& e) {
    CHECK(v.cond == e.cond);
    CHECK(v.act == e.act);
    CHECK(v.sc == e.sc);
    CHECK(v.transient == e.transient);
}

/// The project's source directory (tests/CMakeLists.txt passes "<source>/data").
inline std::string source_path(std::string_view relative) {
    std::string base = SMTPERR_SHARED_DIR;
    base += "/../";
    base += relative;
    return base;
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace classify_test

#endif  // SMTPERR_TESTS_UNIT_CLASSIFY_UTIL_HPP
